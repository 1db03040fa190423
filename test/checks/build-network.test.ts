import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/checks/build-network.js';
import type { Fact } from '../../src/model/fact.js';
import type { NetworkFacts, RouteTableInfo, VpcEndpointInfo } from '../../src/model/facts.js';
import { ACCOUNT, IMAGE, REGION, REPO_ARN, ROLE_ARN, facts, project } from './facts-builder.js';
import { runCheck, statuses } from './run-check.js';

const VPC = 'vpc-0abc';
const SUBNETS = ['subnet-a', 'subnet-b'];
const vpcConfig = { vpcId: VPC, subnets: SUBNETS, securityGroupIds: ['sg-1'] };
const table = (id: string, ...routes: { destination: string; target: string; state?: string }[]): Fact<RouteTableInfo> => ({
  state: 'present',
  value: { id, main: false, routes: [{ destination: '10.0.0.0/16', target: 'local' }, ...routes] },
});
const natTable = table('rtb-nat', { destination: '0.0.0.0/0', target: 'nat-1' });
const privateTable = table('rtb-private');
const endpoint = (service: string, o: Partial<VpcEndpointInfo> = {}): VpcEndpointInfo => ({
  id: `vpce-${service.replace(/\./g, '')}`,
  serviceName: `com.amazonaws.${REGION}.${service}`,
  type: service === 's3' ? 'Gateway' : 'Interface',
  state: 'available',
  ...(service === 's3' ? {} : { privateDnsEnabled: true }),
  routeTableIds: service === 's3' ? ['rtb-private'] : [],
  subnetIds: service === 's3' ? [] : SUBNETS,
  ...o,
});
const allEndpoints = () => [endpoint('ecr.api'), endpoint('ecr.dkr'), endpoint('s3')];

function network(tables: Fact<RouteTableInfo> | Record<string, Fact<RouteTableInfo>>, endpoints: Fact<VpcEndpointInfo[]> | VpcEndpointInfo[] = []): NetworkFacts {
  const perSubnet = 'state' in tables ? Object.fromEntries(SUBNETS.map((s) => [s, tables as Fact<RouteTableInfo>])) : tables;
  return { vpcId: VPC, region: REGION, subnetRouteTables: perSubnet as NetworkFacts['subnetRouteTables'], endpoints: Array.isArray(endpoints) ? { state: 'present', value: endpoints } : endpoints };
}

function world(net: NetworkFacts | undefined, o: { vpc?: boolean; image?: string } = {}) {
  const f = facts({ project: project({ image: 'aws/codebuild/standard:7.0', privilegedMode: true, ...(o.vpc === false ? {} : { vpcConfig }) }) });
  f.projects[0]!.buildspec = { state: 'present', value: { origin: 'test', steps: [{ kind: 'pull', phase: 'build', index: 0, command: 'docker pull', via: 'docker pull', image: o.image ?? IMAGE }] } };
  if (net) f.networks = { [VPC]: net };
  return f;
}

const policyText = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

describe('build-network', () => {
  it('passes through a NAT gateway, naming it', () => {
    const [r] = runCheck(buildNetwork, world(network(natTable)));
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('subnet-a via NAT gateway nat-1');
  });

  it('passes through the three endpoints, naming them', () => {
    const [r] = runCheck(buildNetwork, world(network(privateTable, allEndpoints())));
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('via the endpoints vpce-ecrapi, vpce-ecrdkr and vpce-s3');
  });

  it('fails a subnet with no route, naming it and what to add, with the commands', () => {
    const [r] = runCheck(buildNetwork, world(network({ 'subnet-a': natTable, 'subnet-b': privateTable })));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('subnet subnet-b: it has no default route to a NAT gateway; add a 0.0.0.0/0 route to a NAT gateway, or the interface endpoint com.amazonaws.us-east-1.ecr.api, the interface endpoint com.amazonaws.us-east-1.ecr.dkr and the S3 gateway endpoint on its route table rtb-private');
    expect(r?.message).not.toContain('subnet subnet-a');
    expect(r?.fix?.command).toContain(`--service-name com.amazonaws.${REGION}.ecr.dkr`);
    expect(r?.fix?.command).toContain('--vpc-endpoint-type Gateway --service-name com.amazonaws.us-east-1.s3 --route-table-ids rtb-private');
  });

  it('fails an internet gateway route alone: a build container in a VPC has no public IP', () => {
    const [r] = runCheck(buildNetwork, world(network(table('rtb-public', { destination: '0.0.0.0/0', target: 'igw-1' }))));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('internet gateway igw-1, but a build container in a VPC gets no public IP address');
  });

  it('fails the ECR endpoints without the S3 gateway endpoint (layers come from S3)', () => {
    const [r] = runCheck(buildNetwork, world(network(privateTable, [endpoint('ecr.api'), endpoint('ecr.dkr')])));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('the S3 gateway endpoint on its route table rtb-private');
    expect(r?.message).toContain('NAT gateway, or the S3 gateway endpoint on its route table rtb-private');
  });

  it('fails an S3 gateway endpoint on another route table, and interface endpoints without private DNS', () => {
    const elsewhere = [endpoint('ecr.api'), endpoint('ecr.dkr', { privateDnsEnabled: false }), endpoint('s3', { routeTableIds: ['rtb-other'] })];
    const [r] = runCheck(buildNetwork, world(network(privateTable, elsewhere)));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('private DNS on vpce-ecrdkr (ecr.dkr) and the S3 gateway endpoint');
    expect(r?.message).toContain('the S3 gateway endpoint on its route table rtb-private');
  });

  it('fails naming the endpoint policy statement that denies the pull', () => {
    const deny = { Sid: 'OnlyOtherRepos', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: REPO_ARN };
    const eps = [endpoint('ecr.api'), endpoint('ecr.dkr', { policy: policyText({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }, deny) }), endpoint('s3')];
    const [r] = runCheck(buildNetwork, world(network(privateTable, eps)));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(`the endpoint policy of vpce-ecrdkr (com.amazonaws.${REGION}.ecr.dkr) denies ecr:BatchGetImage on ${REPO_ARN} by statement "OnlyOtherRepos" (#1)`);
  });

  it('fails an S3 endpoint policy without the layer bucket, and passes one that names it for the role', () => {
    const onlyOther = endpoint('s3', { policy: policyText({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::my-bucket/*' }) });
    const [r] = runCheck(buildNetwork, world(network(privateTable, [endpoint('ecr.api'), endpoint('ecr.dkr'), onlyOther])));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(`has no statement that allows s3:GetObject on arn:aws:s3:::prod-${REGION}-starport-layer-bucket/layer`);
    const layers = endpoint('s3', { policy: policyText({ Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: 's3:GetObject', Resource: `arn:aws:s3:::prod-${REGION}-starport-layer-bucket/*` }) });
    expect(statuses(runCheck(buildNetwork, world(network(privateTable, [endpoint('ecr.api'), endpoint('ecr.dkr'), layers]))))).toEqual(['pass']);
  });

  it('warns when a condition of an endpoint policy cannot be decided', () => {
    const tagged = endpoint('ecr.api', { policy: policyText({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'ci' } } }) });
    const [r] = runCheck(buildNetwork, world(network(privateTable, [tagged, endpoint('ecr.dkr'), endpoint('s3')])));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('aws:PrincipalTag/team');
  });

  it('warns when the default route goes to a transit gateway it cannot see past', () => {
    const [r] = runCheck(buildNetwork, world(network(table('rtb-tgw', { destination: '0.0.0.0/0', target: 'tgw-1' }))));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('tgw-1');
  });

  it('skips a project outside a VPC, and does not apply without an ECR pull inside the build', () => {
    const [r] = runCheck(buildNetwork, world(undefined, { vpc: false }));
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('outside a VPC');
    expect(runCheck(buildNetwork, world(network(privateTable), { image: 'node:20' }))).toEqual([]);
    expect(runCheck(buildNetwork, facts({ project: project({ vpcConfig }) }))).toEqual([]);
  });

  it('names an endpoint that exists but is not available', () => {
    const [r] = runCheck(buildNetwork, world(network(privateTable, [endpoint('ecr.api', { state: 'pendingAcceptance' }), endpoint('ecr.dkr'), endpoint('s3')])));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain(`the endpoint vpce-ecrapi (com.amazonaws.${REGION}.ecr.api) is pendingAcceptance, not available`);
  });

  it('skips a buildspec given alone, saying the project is not known rather than "no VPC"', () => {
    const f = facts({ project: null, extra: { buildspec: { state: 'present', value: { origin: 'test', path: 'buildspec.yml', steps: [{ kind: 'pull', phase: 'build', index: 0, command: 'docker pull', via: 'docker pull', image: IMAGE }] } } } });
    const [r] = runCheck(buildNetwork, f);
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('No project is named');
  });

  it('could not check: an error naming the permission, never a pass', () => {
    const denied: Fact<never> = { state: 'unreadable', reason: 'AccessDenied on ec2:DescribeRouteTables', permission: 'ec2:DescribeRouteTables' };
    const [r] = runCheck(buildNetwork, world(network(denied, allEndpoints())));
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('needs ec2:DescribeRouteTables');
    const noEndpoints: Fact<never> = { state: 'unreadable', reason: 'AccessDenied on ec2:DescribeVpcEndpoints', permission: 'ec2:DescribeVpcEndpoints' };
    expect(runCheck(buildNetwork, world(network(natTable, noEndpoints)))[0]?.message).toContain('needs ec2:DescribeVpcEndpoints');
    const [missing] = runCheck(buildNetwork, world(undefined));
    expect(missing?.status).toBe('error');
    expect(missing?.message).toContain('ec2:DescribeRouteTables, ec2:DescribeVpcEndpoints');
  });

  it('says an endpoint in its own region does not serve a pull from another region', () => {
    const other = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app:v1`;
    const [r] = runCheck(buildNetwork, world(network(privateTable, allEndpoints()), { image: other }));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('the endpoints serve only us-east-1; the build also pulls from eu-west-1');
  });
});
