import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { AllocateAddressCommand, AssociateRouteTableCommand, CreateNatGatewayCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { nextAccountId } from '../support/accounts.js';
import { createRepository, createRole, makeTestClients, motoAccountPlugin, putImage, TEST_CREDENTIALS, TEST_REGION, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 16, build-network: a VPC project whose buildspec pulls from ECR, against moto's EC2 and
// CodeBuild, through the spawned CLI. Each project has a VPC of its own, in one account.

let server: MotoServer;
let clients: TestClients;
let ec2: EC2Client;
let cli: CliAccount;
let work: string;
const account = nextAccountId();
const REGION = TEST_REGION;
const HOST = `${account}.dkr.ecr.${REGION}.amazonaws.com`;
const LOGIN = `aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${HOST}`;
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });
const buildspec = ['version: 0.2', 'phases:', '  build:', '    commands:', `      - ${JSON.stringify(LOGIN)}`, `      - ${JSON.stringify(`docker pull ${HOST}/app:1`)}`].join('\n');

/** A VPC with one private subnet on its own route table, optionally with the three endpoints or a NAT gateway route. */
async function privateNetwork(cidr: string, endpoints: boolean, nat = false): Promise<{ vpcId: string; subnetId: string; routeTableId: string }> {
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: cidr.replace(/\/16$/, '/24') }))).Subnet!.SubnetId!;
  const routeTableId = (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable!.RouteTableId!;
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnetId }));
  if (nat) {
    const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
    const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway!.NatGatewayId!;
    await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
  }
  if (endpoints) {
    for (const svc of ['ecr.api', 'ecr.dkr']) {
      await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, VpcEndpointType: 'Interface', ServiceName: `com.amazonaws.${REGION}.${svc}`, SubnetIds: [subnetId], PrivateDnsEnabled: true }));
    }
    await ec2.send(new CreateVpcEndpointCommand({ VpcId: vpcId, VpcEndpointType: 'Gateway', ServiceName: `com.amazonaws.${REGION}.s3`, RouteTableIds: [routeTableId] }));
  }
  return { vpcId, subnetId, routeTableId };
}

async function project(name: string, role: string, net: { vpcId: string; subnetId: string }) {
  await clients.codebuild.send(
    new CreateProjectCommand({
      name,
      source: { type: 'S3', location: 'src-bucket/source.zip', buildspec },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL', privilegedMode: true },
      serviceRole: role,
      vpcConfig: { vpcId: net.vpcId, subnets: [net.subnetId], securityGroupIds: [] },
    }),
  );
}

const networkResults = (report: JsonReport) => report.results.filter((r) => r.check === 'build-network');

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-build-network-'));
  clients = makeTestClients(server.endpoint, account);
  ec2 = new EC2Client({ region: REGION, credentials: TEST_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
  ec2.middlewareStack.use(motoAccountPlugin(account));
  cli = await createCliAccount(clients);
  await createRepository(clients, 'app');
  await putImage(clients, 'app', '1');
  const role = await createRole(clients, 'vpc-build', {
    inline: { ecr: doc({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }, { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: `arn:aws:ecr:${REGION}:${account}:repository/app` }) },
  });
  await project('vpc-closed', role, await privateNetwork('10.10.0.0/16', false));
  await project('vpc-endpoints', role, await privateNetwork('10.20.0.0/16', true));
  await project('vpc-nat', role, await privateNetwork('10.30.0.0/16', false, true));
  // No association of its own: the subnet uses the VPC's main route table, where the NAT route is.
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.40.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.40.0.0/24' }))).Subnet!.SubnetId!;
  const main = (await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }, { Name: 'association.main', Values: ['true'] }] }))).RouteTables![0]!.RouteTableId!;
  const allocationId = (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId!;
  const natId = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: subnetId, AllocationId: allocationId }))).NatGateway!.NatGatewayId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
  await project('vpc-main-table', role, { vpcId, subnetId });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('build-network, against moto', () => {
  it('a VPC project without a NAT route or endpoints fails, naming the subnet and what to add', async () => {
    const run = await runCliJson<JsonReport>(['doctor', '--project', 'vpc-closed', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work });
    expect(run.code).toBe(1);
    const [r] = networkResults(run.json);
    expect(r?.status).toBe('fail');
    expect(r?.message).toMatch(/subnet subnet-[0-9a-f]+: it has no default route to a NAT gateway; add a 0\.0\.0\.0\/0 route to a NAT gateway, or the interface endpoint com\.amazonaws\.us-east-1\.ecr\.api, the interface endpoint com\.amazonaws\.us-east-1\.ecr\.dkr and the S3 gateway endpoint on its route table rtb-/);
    expect(r?.fix?.command).toContain(`--service-name com.amazonaws.${REGION}.ecr.api`);
  });

  it('with ecr.api, ecr.dkr (private DNS) and the S3 gateway endpoint on the route table it passes, and nothing else fails', async () => {
    const run = await runCliJson<JsonReport>(['doctor', '--project', 'vpc-endpoints', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work });
    const [r] = networkResults(run.json);
    expect(r?.status).toBe('pass');
    expect(r?.message).toMatch(/via the endpoints vpce-[0-9a-f]+, vpce-[0-9a-f]+ and vpce-[0-9a-f]+/);
    expect(run.json.results.filter((x) => x.status === 'fail')).toEqual([]);
    expect(run.code).toBe(0);
  });

  it('with a 0.0.0.0/0 route to a NAT gateway it passes, naming the gateway', async () => {
    const run = await runCliJson<JsonReport>(['doctor', '--project', 'vpc-nat', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work });
    const [r] = networkResults(run.json);
    expect(r?.status).toBe('pass');
    expect(r?.message).toMatch(/subnet-[0-9a-f]+ via NAT gateway nat-[0-9a-f]+/);
  });

  it("a subnet without a route table of its own is judged by the VPC's main route table", async () => {
    const run = await runCliJson<JsonReport>(['doctor', '--project', 'vpc-main-table', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work });
    expect(networkResults(run.json)[0]?.status).toBe('pass');
  });
});
