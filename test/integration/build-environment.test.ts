import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateProjectCommand, type EnvironmentType } from '@aws-sdk/client-codebuild';
import { PutImageCommand } from '@aws-sdk/client-ecr';
import { GetRolePolicyCommand, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TEST_CREDENTIALS, TEST_REGION, createRepository, createRole, makeTestClients, motoAccountPlugin, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';
import { replayError, startReplayServer, type ReplayServer } from '../support/replay-server.js';
import { startAwsProxy, type AwsProxy } from '../cli/aws-proxy.js';

// Issue 10, "Done when", against moto through the spawned CLI: the image platform against the
// environment type (an OCI image index pushed with PutImage and its media type), and the
// registryCredential secret (missing; present but the role may not read it; readable).
// A private moto server: the CLI's moto-made key is resolved by walking every account (see seed-scenario.test.ts).
let server: MotoServer;
const account = '246813579024';
let clients: TestClients;
let secrets: SecretsManagerClient;
let cli: CliAccount;
let work: string;
const REPO = 'team/multi-arch';
const INDEX = 'application/vnd.oci.image.index.v1+json';
const digest = (c: string) => `sha256:${c.repeat(64)}`;

function imageIndex(platforms: { os: string; architecture: string }[]): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: platforms.map((platform, i) => ({ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1024, digest: digest(String(i + 1)), platform })),
  });
}

async function project(name: string, env: { type: EnvironmentType; image: string; mode?: 'CODEBUILD' | 'SERVICE_ROLE'; credential?: string; roleArn: string; fleetArn?: string }) {
  await clients.codebuild.send(new CreateProjectCommand({
    name,
    source: { type: 'S3', location: 'ecr-doctor-test-source/source.zip' },
    artifacts: { type: 'NO_ARTIFACTS' },
    environment: {
      type: env.type,
      image: env.image,
      computeType: 'BUILD_GENERAL1_SMALL',
      ...(env.mode ? { imagePullCredentialsType: env.mode } : {}),
      ...(env.credential ? { registryCredential: { credential: env.credential, credentialProvider: 'SECRETS_MANAGER' } } : {}),
      ...(env.fleetArn ? { fleet: { fleetArn: env.fleetArn } } : {}),
    },
    serviceRole: env.roleArn,
  }));
}

const doctor = (name: string) => runCliJson<JsonReport>(['doctor', '--project', name, '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work });
const resultOf = (report: JsonReport, check: string) => report.results.filter((r) => r.check === check);

const READ_POLICY = (arn: string) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: arn }] });
let secretArn = '';
let plainRole = '';
// Reserved-capacity fleets: moto keeps environment.fleet but cannot serve BatchGetFleets, so the
// proxy sends that call to a replay server answering as the CodeBuild API reference documents it.
let replay: ReplayServer;
let proxy: AwsProxy;
const ARM_FLEET = `arn:aws:codebuild:us-east-1:${account}:fleet/arm-fleet:0f1e2d3c-aaaa-bbbb-cccc-000000000001`;
const SECRET_FLEET = `arn:aws:codebuild:us-east-1:${account}:fleet/secret-fleet:0f1e2d3c-aaaa-bbbb-cccc-000000000002`;

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-build-env-'));
  clients = makeTestClients(server.endpoint, account);
  secrets = new SecretsManagerClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS, endpoint: server.endpoint, maxAttempts: 1 });
  secrets.middlewareStack.use(motoAccountPlugin(account));
  cli = await createCliAccount(clients);
  const grant = { Version: '2012-10-17', Statement: [{ Sid: 'CodeBuildPull', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }] };
  const { repositoryUri } = await createRepository(clients, REPO, grant);
  for (const [tag, platforms] of [['amd64-only', [{ os: 'linux', architecture: 'amd64' }]], ['multi', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]]] as const) {
    await clients.ecr.send(new PutImageCommand({ repositoryName: REPO, imageTag: tag, imageManifest: imageIndex([...platforms]), imageManifestMediaType: INDEX }));
  }
  plainRole = await createRole(clients, 'build-env-role', { path: '/service-role/' });
  const readerRole = await createRole(clients, 'build-env-reader', { path: '/service-role/' });
  const created = await secrets.send(new CreateSecretCommand({ Name: 'dockerhub-login', SecretString: '{"username":"u","password":"p"}' }));
  secretArn = created.ARN ?? '';
  await clients.iam.send(new PutRolePolicyCommand({ RoleName: 'build-env-reader', PolicyName: 'read', PolicyDocument: JSON.stringify(READ_POLICY(secretArn)) }));
  await project('arm-amd64-only', { type: 'ARM_CONTAINER', image: `${repositoryUri}:amd64-only`, roleArn: plainRole });
  await project('arm-multi', { type: 'ARM_CONTAINER', image: `${repositoryUri}:multi`, roleArn: plainRole });
  await project('hub-missing-secret', { type: 'LINUX_CONTAINER', image: 'acme/builder:1', mode: 'SERVICE_ROLE', credential: 'no-such-secret', roleArn: plainRole });
  await project('hub-role-cannot-read', { type: 'LINUX_CONTAINER', image: 'acme/builder:1', mode: 'SERVICE_ROLE', credential: 'dockerhub-login', roleArn: plainRole });
  replay = await startReplayServer({
    'CodeBuild_20161006.BatchGetFleets': (body: { names: string[] }) =>
      body.names.includes(SECRET_FLEET)
        ? replayError('AccessDeniedException', `User: arn:aws:iam::${account}:user/ecr-doctor-cli is not authorized to perform: codebuild:BatchGetFleets`)
        : { fleets: [{ arn: ARM_FLEET, name: 'arm-fleet', environmentType: 'ARM_CONTAINER', computeType: 'BUILD_GENERAL1_SMALL' }], fleetsNotFound: [] },
  });
  proxy = await startAwsProxy({ moto: server.endpoint, replay: replay.endpoint });
  // The project says LINUX_CONTAINER; the fleet it runs on is ARM_CONTAINER, and the fleet wins.
  await project('on-arm-fleet', { type: 'LINUX_CONTAINER', image: `${repositoryUri}:amd64-only`, roleArn: plainRole, fleetArn: ARM_FLEET });
  await project('on-unreadable-fleet', { type: 'LINUX_CONTAINER', image: `${repositoryUri}:amd64-only`, roleArn: plainRole, fleetArn: SECRET_FLEET });
  await project('hub-role-reads', { type: 'LINUX_CONTAINER', image: 'acme/builder:1', mode: 'SERVICE_ROLE', credential: secretArn, roleArn: readerRole });
});

afterAll(async () => {
  await proxy?.close();
  await replay?.close();
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('platform against moto (issue 10)', () => {
  it('an ARM_CONTAINER project whose image index has only linux/amd64 fails, naming arm64', async () => {
    const r = await doctor('arm-amd64-only');
    expect(r.code, r.stderr).toBe(1);
    const [platform] = resultOf(r.json, 'platform');
    expect(platform?.status).toBe('fail');
    expect(platform?.message).toContain('linux/arm64');
    expect(platform?.message).toContain('linux/amd64');
  });
  it('the same with linux/amd64 and linux/arm64 passes', async () => {
    const r = await doctor('arm-multi');
    expect(resultOf(r.json, 'platform').map((x) => x.status)).toEqual(['pass']);
    expect(r.code, JSON.stringify(r.json.results.filter((x) => x.status === 'fail'))).toBe(0);
  });
});

describe('fleets (issue 10): moto for the project, a replay of BatchGetFleets', () => {
  const viaProxy = (name: string) => runCliJson<JsonReport>(['doctor', '--project', name, '--format', 'json'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint, HOME: work }, cwd: work });
  it("judges the platform by the fleet's environment type, not the project's", async () => {
    const r = await viaProxy('on-arm-fleet');
    const [platform] = resultOf(r.json, 'platform');
    expect(platform?.status, JSON.stringify(platform)).toBe('fail');
    expect(platform?.message).toContain('ARM_CONTAINER runs linux/arm64');
    expect(proxy.requests.some((q) => q.target.endsWith('BatchGetFleets') && q.upstream === 'replay')).toBe(true);
  });
  it('a denied BatchGetFleets is an error naming codebuild:BatchGetFleets, never a pass', async () => {
    const r = await viaProxy('on-unreadable-fleet');
    const [platform] = resultOf(r.json, 'platform');
    expect(platform?.status).toBe('error');
    expect(platform?.message).toContain('codebuild:BatchGetFleets');
  });
});

describe('registry-credential against moto (issue 10)', () => {
  it('a registryCredential naming a missing secret fails, naming the secret', async () => {
    const r = await doctor('hub-missing-secret');
    expect(r.code, r.stderr).toBe(1);
    const [cred] = resultOf(r.json, 'registry-credential');
    expect(cred?.status).toBe('fail');
    expect(cred?.message).toContain('no-such-secret');
  });
  it('a role that may not secretsmanager:GetSecretValue fails, naming that action', async () => {
    const r = await doctor('hub-role-cannot-read');
    expect(r.code, r.stderr).toBe(1);
    const [cred] = resultOf(r.json, 'registry-credential');
    expect(cred?.status).toBe('fail');
    expect(cred?.message).toContain('secretsmanager:GetSecretValue');
    expect(cred?.message).toContain(secretArn);
  });
  it('the right role passes', async () => {
    const r = await doctor('hub-role-reads');
    expect(resultOf(r.json, 'registry-credential').map((x) => x.status)).toEqual(['pass']);
  });
  it("fix --yes grants the role GetSecretValue on that secret in ecr-doctor's inline policy, then doctor passes", async () => {
    const env = { ...cli.env, HOME: work };
    const fixed = await runCli(['fix', '--project', 'hub-role-cannot-read', '--yes'], { env, cwd: work });
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    const written = await clients.iam.send(new GetRolePolicyCommand({ RoleName: 'build-env-role', PolicyName: 'ecr-doctor-image-pull' }));
    const doc = JSON.parse(decodeURIComponent(written.PolicyDocument ?? ''));
    expect(doc.Statement).toEqual([{ Sid: 'EcrDoctorRegistryCredentialRead', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secretArn }]);
    const after = await doctor('hub-role-cannot-read');
    expect(resultOf(after.json, 'registry-credential').map((x) => x.status)).toEqual(['pass']);
  });
});
