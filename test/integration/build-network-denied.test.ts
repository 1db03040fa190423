import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import { permissionsPolicy } from '../../src/permissions/aws-calls.js';
import { createRepository, createRole, makeTestClients, motoAccountPlugin, putImage, TEST_CREDENTIALS } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCliJson, type JsonReport } from '../support/cli.js';
import { enableIamAuth } from '../support/moto-auth.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// build-network when ecr-doctor may not read the network: an `error` result naming the EC2
// permission, never a pass and never a crash. moto enforces IAM server-wide only, so this file
// runs a server of its own (see moto-auth.ts) and switches enforcement on after the set-up.

const ACCOUNT = '135792468013';
const REGION = 'us-east-1';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;

let server: MotoServer;
let work: string;
const users = {} as Record<'noRoutes' | 'noEndpoints', CliAccount>;

function policyWithout(action: string): object {
  const base = permissionsPolicy(false) as { Statement: Array<{ Action: string[] }> };
  return { ...base, Statement: base.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })) };
}

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-build-network-denied-'));
  const admin = makeTestClients(server.endpoint, ACCOUNT);
  const ec2 = new EC2Client({ region: REGION, credentials: TEST_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
  ec2.middlewareStack.use(motoAccountPlugin(ACCOUNT));
  await createRepository(admin, 'app');
  await putImage(admin, 'app', '1');
  const role = await createRole(admin, 'vpc-build', { inline: { ecr: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } } });
  const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }))).Vpc!.VpcId!;
  const subnetId = (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.50.0.0/24' }))).Subnet!.SubnetId!;
  const login = `aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${HOST}`;
  await admin.codebuild.send(
    new CreateProjectCommand({
      name: 'vpc-denied',
      source: { type: 'S3', location: 'src-bucket/source.zip', buildspec: ['version: 0.2', 'phases:', '  build:', '    commands:', `      - ${JSON.stringify(login)}`, `      - docker pull ${HOST}/app:1`].join('\n') },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: { type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL', privilegedMode: true },
      serviceRole: role,
      vpcConfig: { vpcId, subnets: [subnetId], securityGroupIds: [] },
    }),
  );
  users.noRoutes = await createCliAccount(admin, { userName: 'doctor-no-routes', policy: policyWithout('ec2:DescribeRouteTables') });
  users.noEndpoints = await createCliAccount(admin, { userName: 'doctor-no-endpoints', policy: policyWithout('ec2:DescribeVpcEndpoints') });
  await enableIamAuth(server.endpoint);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('build-network when the EC2 reads are denied', () => {
  it.each([
    ['noRoutes', 'ec2:DescribeRouteTables'],
    ['noEndpoints', 'ec2:DescribeVpcEndpoints'],
  ] as const)('%s: an error naming %s, the run does not pass', async (user, permission) => {
    const run = await runCliJson<JsonReport>(['doctor', '--project', 'vpc-denied', '--format', 'json'], { env: { ...users[user].env, HOME: work }, cwd: work });
    const [r] = run.json.results.filter((x) => x.check === 'build-network');
    expect(r?.status).toBe('error');
    expect(r?.message).toContain(`needs ${permission}`);
    expect(run.code).not.toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
