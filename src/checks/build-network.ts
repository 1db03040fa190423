import type { Fact } from '../model/fact.js';
import type { Facts, NetworkFacts, RouteTableInfo, VpcEndpointInfo } from '../model/facts.js';
import type { Result } from '../model/result.js';
import { describeStatement } from '../policy/index.js';
import type { FactsCheck } from './check.js';
import { makeResult } from './check.js';
import type { VpcBuild } from './build-network-scope.js';
import { vpcBuilds } from './build-network-scope.js';
import type { EndpointVerdict } from './endpoint-policy.js';
import { judgeEndpointPolicy } from './endpoint-policy.js';
import { parseArn } from '../model/arn.js';

// Amazon ECR User Guide, "Amazon ECR interface VPC endpoints (AWS PrivateLink)"
// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html): without a NAT route,
// a pull needs com.amazonaws.<region>.ecr.api (the token), com.amazonaws.<region>.ecr.dkr (the
// registry API), both with private DNS, and the S3 gateway endpoint on the subnets' route tables
// (layers are served from prod-<region>-starport-layer-bucket).
const DOC = 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html';
const PERMISSIONS = 'ec2:DescribeRouteTables, ec2:DescribeVpcEndpoints';

const joinAnd = (xs: readonly string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);

const usable = (e: VpcEndpointInfo) => e.state === undefined || e.state.toLowerCase() === 'available';

interface Reach {
  nat?: string;
  /** A default route to an internet gateway: no way out, a build container in a VPC has no public IP. */
  igw?: string;
  /** A default route elsewhere (transit gateway, NAT instance, peering): it may lead out; we cannot see. */
  other?: string;
  s3Gateway?: VpcEndpointInfo;
}

function reachOf(table: RouteTableInfo, endpoints: readonly VpcEndpointInfo[], region: string): Reach {
  const defaults = table.routes.filter((r) => r.destination === '0.0.0.0/0' && r.state !== 'blackhole');
  const nat = defaults.find((r) => r.target.startsWith('nat-'))?.target;
  const igw = defaults.find((r) => r.target.startsWith('igw-'))?.target;
  const other = defaults.find((r) => !r.target.startsWith('nat-') && !r.target.startsWith('igw-'))?.target;
  const s3Gateway = endpoints.find((e) => e.serviceName === `com.amazonaws.${region}.s3` && e.type.toLowerCase() === 'gateway' && usable(e) && e.routeTableIds.includes(table.id));
  return { ...(nat ? { nat } : {}), ...(igw ? { igw } : {}), ...(other ? { other } : {}), ...(s3Gateway ? { s3Gateway } : {}) };
}

function interfaceEndpoint(endpoints: readonly VpcEndpointInfo[], service: string): VpcEndpointInfo | undefined {
  return endpoints.find((e) => e.serviceName === service && e.type.toLowerCase() === 'interface' && usable(e));
}

function endpointCommands(b: VpcBuild & { vpc: NonNullable<VpcBuild['vpc']> }, region: string, missing: { api: boolean; dkr: boolean; s3Tables: string[] }): string {
  const iface = (svc: string) => `aws ec2 create-vpc-endpoint --region ${region} --vpc-id ${b.vpc.vpcId} --vpc-endpoint-type Interface --service-name com.amazonaws.${region}.${svc} --subnet-ids ${b.vpc.subnets.join(' ')} --security-group-ids ${b.vpc.securityGroupIds.join(' ') || '<sg allowing 443 from the subnets>'} --private-dns-enabled`;
  const cmds = [...(missing.api ? [iface('ecr.api')] : []), ...(missing.dkr ? [iface('ecr.dkr')] : [])];
  if (missing.s3Tables.length) cmds.push(`aws ec2 create-vpc-endpoint --region ${region} --vpc-id ${b.vpc.vpcId} --vpc-endpoint-type Gateway --service-name com.amazonaws.${region}.s3 --route-table-ids ${missing.s3Tables.join(' ')}`);
  return cmds.join(' && ');
}

function policyVerdicts(b: VpcBuild, network: NetworkFacts, endpoints: readonly VpcEndpointInfo[], s3Gateways: readonly VpcEndpointInfo[]): EndpointVerdict[] {
  const region = network.region;
  const roleArn = b.owner.serviceRoleArn;
  const account = roleArn ? parseArn(roleArn)?.account : undefined;
  const caller = roleArn && account ? { roleArn, account } : undefined;
  const verdicts: EndpointVerdict[] = [];
  const api = interfaceEndpoint(endpoints, `com.amazonaws.${region}.ecr.api`);
  const dkr = interfaceEndpoint(endpoints, `com.amazonaws.${region}.ecr.dkr`);
  // With private DNS on, every ECR call of the build goes through the endpoint, NAT or not: the
  // token from ecr.api (aws ecr get-login-password), the manifest and layer URLs from ecr.dkr.
  if (api?.privateDnsEnabled) verdicts.push(judgeEndpointPolicy(api, caller, network.vpcId, 'ecr:GetAuthorizationToken', '*'));
  const repos = [...new Set(b.ecrPulls.flatMap((p) => (p.imageRef.kind === 'ecr' && p.imageRef.region === region ? [p.imageRef.repositoryArn] : [])))];
  if (dkr?.privateDnsEnabled) {
    for (const repo of repos) for (const action of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) verdicts.push(judgeEndpointPolicy(dkr, caller, network.vpcId, action, repo));
  }
  // The gateway endpoint's prefix-list route is more specific than 0.0.0.0/0, so S3 traffic takes it even beside a NAT.
  if (repos.length) for (const gw of s3Gateways) verdicts.push(judgeEndpointPolicy(gw, caller, network.vpcId, 's3:GetObject', `arn:${b.owner.partition}:s3:::prod-${region}-starport-layer-bucket/layer`));
  return verdicts;
}

function judge(b: VpcBuild, facts: Facts): Result[] {
  const subject = b.owner.label;
  if (!b.vpc) {
    // A buildspec given alone has no project, so no VPC config to read: say so rather than "no VPC".
    if (!b.owner.projectArn && !b.owner.build) return [makeResult('build-network', subject, 'skip', 'No project is named, so whether the build runs in a VPC (and needs a NAT route or ECR endpoints) is not known; name the project (--project) to check it.')];
    return [makeResult('build-network', subject, 'skip', 'The project runs outside a VPC, on CodeBuild\'s own network, so its pulls inside the build reach ECR without routes or endpoints of yours.')];
  }
  const vpc = b.vpc;
  const network = facts.networks?.[vpc.vpcId];
  const evidence: Record<string, unknown> = { vpcId: vpc.vpcId, subnets: vpc.subnets };
  if (!network) return [makeResult('build-network', subject, 'error', `could not check how the build reaches ECR from VPC ${vpc.vpcId}: its routes and endpoints were not read (needs ${PERMISSIONS})`, { evidence })];
  const region = network.region;
  const tables = vpc.subnets.map((s) => [s, network.subnetRouteTables[s] ?? ({ state: 'absent' } as Fact<RouteTableInfo>)] as const);
  const unreadableFacts = [...tables.map(([, t]) => t), network.endpoints].filter((f) => f.state === 'unreadable');
  if (unreadableFacts.length) {
    const permissions = [...new Set(unreadableFacts.map((f) => (f.state === 'unreadable' ? (f.permission ?? f.reason) : '')))].join(', ');
    return [makeResult('build-network', subject, 'error', `could not check how the build reaches ECR from VPC ${vpc.vpcId}: ${unreadableFacts[0]?.state === 'unreadable' ? unreadableFacts[0].reason : ''} (needs ${permissions})`, { evidence })];
  }
  const endpoints = network.endpoints.state === 'present' ? network.endpoints.value : [];
  const api = interfaceEndpoint(endpoints, `com.amazonaws.${region}.ecr.api`);
  const dkr = interfaceEndpoint(endpoints, `com.amazonaws.${region}.ecr.dkr`);
  const otherRegions = [...new Set(b.ecrPulls.flatMap((p) => (p.imageRef.kind === 'ecr' && p.imageRef.region !== region ? [p.imageRef.region] : [])))];
  const problems: string[] = endpoints
    .filter((e) => !usable(e) && /\.(ecr\.api|ecr\.dkr|s3)$/.test(e.serviceName) && e.serviceName.includes(`.${region}.`))
    .map((e) => `the endpoint ${e.id} (${e.serviceName}) is ${e.state}, not available`);
  const doubts: string[] = [];
  const ways: string[] = [];
  const missingS3Tables: string[] = [];
  const s3Gateways = new Map<string, VpcEndpointInfo>();
  for (const [subnet, table] of tables) {
    if (table.state !== 'present') {
      problems.push(`subnet ${subnet} has no route table in ${vpc.vpcId} (is it in this VPC?)`);
      continue;
    }
    const reach = reachOf(table.value, endpoints, region);
    if (reach.s3Gateway) s3Gateways.set(reach.s3Gateway.id, reach.s3Gateway);
    if (reach.nat) {
      ways.push(`${subnet} via NAT gateway ${reach.nat}`);
      continue;
    }
    const lacks = [
      ...(!api ? [`the interface endpoint com.amazonaws.${region}.ecr.api`] : !api.privateDnsEnabled ? [`private DNS on ${api.id} (ecr.api)`] : []),
      ...(!dkr ? [`the interface endpoint com.amazonaws.${region}.ecr.dkr`] : !dkr.privateDnsEnabled ? [`private DNS on ${dkr.id} (ecr.dkr)`] : []),
      ...(!reach.s3Gateway ? [`the S3 gateway endpoint on its route table ${table.value.id}`] : []),
    ];
    if (!reach.s3Gateway) missingS3Tables.push(table.value.id);
    if (lacks.length === 0 && otherRegions.length === 0) {
      ways.push(`${subnet} via the endpoints ${api?.id}, ${dkr?.id} and ${reach.s3Gateway?.id}`);
      continue;
    }
    if (reach.other) {
      doubts.push(`subnet ${subnet} sends 0.0.0.0/0 to ${reach.other}, which may lead to a NAT elsewhere; ecr-doctor cannot see past it`);
      continue;
    }
    const why = reach.igw ? `its default route goes to the internet gateway ${reach.igw}, but a build container in a VPC gets no public IP address, so that route leads nowhere` : 'it has no default route to a NAT gateway';
    const needs = otherRegions.length && lacks.length === 0 ? `a NAT gateway route (the endpoints serve only ${region}; the build also pulls from ${otherRegions.join(', ')})` : `a 0.0.0.0/0 route to a NAT gateway, or ${joinAnd(lacks)}`;
    problems.push(`subnet ${subnet}: ${why}; add ${needs}`);
  }
  const verdicts = policyVerdicts(b, network, endpoints, [...s3Gateways.values()]);
  for (const v of verdicts) {
    const what = `${v.action} on ${v.resource}`;
    if (v.outcome === 'explicit-deny') problems.push(`the endpoint policy of ${v.endpoint.id} (${v.endpoint.serviceName}) denies ${what} by ${v.statements.map(describeStatement).join(', ')}`);
    if (v.outcome === 'implicit-deny') problems.push(`the endpoint policy of ${v.endpoint.id} (${v.endpoint.serviceName}) has no statement that allows ${what} for the service role`);
    if (v.outcome === 'undecidable') doubts.push(`whether the endpoint policy of ${v.endpoint.id} allows ${what} cannot be decided: ${v.why ?? 'a condition the engine cannot evaluate'}`);
  }
  evidence.ways = ways;
  evidence.endpointPolicies = verdicts.map((v) => ({ endpoint: v.endpoint.id, action: v.action, resource: v.resource, outcome: v.outcome }));
  if (problems.length) {
    const command = endpointCommands({ ...b, vpc }, region, { api: !api, dkr: !dkr, s3Tables: [...new Set(missingS3Tables)] });
    return [makeResult('build-network', subject, 'fail', `The build runs in VPC ${vpc.vpcId} and pulls from ECR inside the build, but ${problems.join('; ')} (Amazon ECR User Guide, "Amazon ECR interface VPC endpoints").`, {
      evidence,
      fix: { target: 'other', account: b.owner.account, resource: vpc.vpcId, description: `Give every subnet of the project a 0.0.0.0/0 route to a NAT gateway, or create the interface endpoints com.amazonaws.${region}.ecr.api and .ecr.dkr with private DNS and the S3 gateway endpoint on the subnets' route tables, with endpoint policies that let the service role pull; the interface endpoints' security group must allow HTTPS (443) from the subnets (${DOC}).`, ...(command && !problems.some((p) => p.includes('endpoint policy')) ? { command } : {}) },
    })];
  }
  if (doubts.length) return [makeResult('build-network', subject, 'warn', `The build runs in VPC ${vpc.vpcId}; ${doubts.join('; ')}.`, { evidence })];
  return [makeResult('build-network', subject, 'pass', `The build runs in VPC ${vpc.vpcId} and each subnet reaches ECR: ${ways.join('; ')}${verdicts.length ? '; the endpoint policies allow the pull' : ''}.`, { evidence })];
}

export const buildNetwork: FactsCheck = {
  id: 'build-network',
  runOnce(facts) {
    return vpcBuilds(facts).flatMap((b) => judge(b, facts));
  },
};
