import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateProjectCommand } from '@aws-sdk/client-codebuild';
import { nextAccountId } from '../support/accounts.js';
import { createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { failingResults, runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 16, "Done when": a project whose buildspec pulls a private ECR image, against moto, through
// the spawned CLI. Each case is a project of its own in one account; the CLI runs as that account.

let server: MotoServer;
let clients: TestClients;
let cli: CliAccount;
let work: string;
const account = nextAccountId();
const REGION = 'us-east-1';
const HOST = `${account}.dkr.ecr.${REGION}.amazonaws.com`;
const IMAGE = `${HOST}/app:1`;
const LOGIN = `aws ecr get-login-password --region ${REGION} | docker login --username AWS --password-stdin ${HOST}`;
const roles: Record<string, string> = {};

const pullGrant = { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: `arn:aws:ecr:${REGION}:${account}:repository/app` };
const tokenGrant = { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' };
const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

function buildspec(...commands: string[]): string {
  return ['version: 0.2', 'phases:', '  build:', '    commands:', ...commands.map((c) => `      - ${JSON.stringify(c)}`)].join('\n');
}

async function project(name: string, o: { commands?: string[]; role?: string; privileged?: boolean; image?: string; variables?: Record<string, string>; fileBuildspec?: boolean }) {
  await clients.codebuild.send(
    new CreateProjectCommand({
      name,
      source: { type: 'S3', location: 'src-bucket/source.zip', ...(o.fileBuildspec ? {} : { buildspec: buildspec(...(o.commands ?? [])) }) },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: o.image ?? 'aws/codebuild/standard:7.0',
        computeType: 'BUILD_GENERAL1_SMALL',
        privilegedMode: o.privileged ?? true,
        ...(o.variables ? { environmentVariables: Object.entries(o.variables).map(([name, value]) => ({ name, value, type: 'PLAINTEXT' as const })) } : {}),
      },
      serviceRole: roles[o.role ?? 'good'],
    }),
  );
}

async function doctor(name: string, extra: string[] = [], cwd = work): Promise<{ code: number | null; report: JsonReport; stderr: string }> {
  const run = await runCliJson<JsonReport>(['doctor', '--project', name, '--format', 'json', ...extra], { env: { ...cli.env, HOME: work }, cwd });
  return { code: run.code, report: run.json, stderr: run.stderr };
}

const failing = (report: JsonReport, check: string) => failingResults(report).filter((r) => r.check === check);

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-in-build-'));
  clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  await createRepository(clients, 'app');
  await putImage(clients, 'app', '1');
  roles.good = await createRole(clients, 'build-good', { inline: { ecr: doc(tokenGrant, pullGrant) } });
  roles.noToken = await createRole(clients, 'build-no-token', { inline: { ecr: doc(pullGrant) } });
  roles.noPull = await createRole(clients, 'build-no-pull', { inline: { ecr: doc(tokenGrant) } });
  await Promise.all([
    project('no-login', { commands: [`docker pull ${IMAGE}`] }),
    project('login-other-region', { commands: [`aws ecr get-login-password --region eu-west-1 | docker login --username AWS --password-stdin ${HOST}`, `docker pull ${IMAGE}`] }),
    project('role-no-token', { role: 'noToken', commands: [LOGIN, `docker pull ${IMAGE}`] }),
    project('role-no-pull', { role: 'noPull', commands: [LOGIN, `docker pull ${IMAGE}`] }),
    project('not-privileged', { privileged: false, commands: [LOGIN, `docker pull ${IMAGE}`] }),
    project('legacy-get-login', { commands: ['$(aws ecr get-login --no-include-email --region us-east-1)', `docker pull ${IMAGE}`] }),
    project('tag-missing', { commands: [LOGIN, `docker pull ${HOST}/app:2`] }),
    project('via-variable', { variables: { REPOSITORY_URI: `${HOST}/app` }, commands: ['docker pull $REPOSITORY_URI:1'] }),
    project('all-right', { commands: [LOGIN, `docker pull ${IMAGE}`, `docker build -t out .`] }),
    project('docker-hub', { commands: ['docker pull node:20'] }),
    project('from-dockerfile', { fileBuildspec: true }),
  ]);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('pulls inside the build, against moto', () => {
  it('no docker login: registry-login fails naming the host and "no basic auth credentials"', async () => {
    const { code, report } = await doctor('no-login');
    expect(code).toBe(1);
    const [r] = failing(report, 'registry-login');
    expect(r?.message).toContain(`no docker login to ${HOST}`);
    expect(r?.message).toContain('no basic auth credentials');
    expect(r?.fix?.description).toContain(LOGIN);
  });

  it('a login for another region fails', async () => {
    const { code, report } = await doctor('login-other-region');
    expect(code).toBe(1);
    expect(failing(report, 'registry-login')[0]?.message).toMatch(/for region eu-west-1, but .* is in us-east-1/);
  });

  it('a role without ecr:GetAuthorizationToken fails build-role-can-pull, whatever the project mode', async () => {
    const { code, report } = await doctor('role-no-token');
    expect(code).toBe(1);
    const [r] = failing(report, 'build-role-can-pull');
    expect(r?.message).toContain('ecr:GetAuthorizationToken');
    expect(r?.fix?.target).toBe('role-policy');
  });

  it('a role without the pull actions fails build-role-can-pull naming them', async () => {
    const { code, report } = await doctor('role-no-pull');
    expect(code).toBe(1);
    expect(failing(report, 'build-role-can-pull')[0]?.message).toContain('ecr:BatchGetImage');
  });

  it('privileged mode off fails docker-daemon with the command that turns it on', async () => {
    const { code, report } = await doctor('not-privileged');
    expect(code).toBe(1);
    const [r] = failing(report, 'docker-daemon');
    expect(r?.message).toContain('Cannot connect to the Docker daemon');
    expect(r?.fix?.command).toContain("jq '.privilegedMode = true'");
  });

  it('aws ecr get-login on standard:7.0 fails and names get-login-password', async () => {
    const { code, report } = await doctor('legacy-get-login');
    expect(code).toBe(1);
    const results = failing(report, 'registry-login');
    expect(results.some((r) => /AWS CLI v2/.test(r.message))).toBe(true);
    expect(results.some((r) => r.fix?.description.includes('get-login-password'))).toBe(true);
  });

  it('a missing tag pulled in the build fails image-exists with the nearest tags', async () => {
    const { code, report } = await doctor('tag-missing');
    expect(code).toBe(1);
    const [r] = failing(report, 'image-exists');
    expect(r?.message).toContain('tag 2');
    expect(r?.message).toContain('Nearest existing tags: 1');
  });

  it('the image given through a project variable is resolved and judged', async () => {
    const { code, report } = await doctor('via-variable');
    expect(code).toBe(1);
    const [r] = failing(report, 'registry-login');
    expect(r?.subject).toContain(IMAGE);
  });

  it('login, role and privileged mode right: exit 0', async () => {
    await writeFile(join(work, 'Dockerfile'), 'FROM public.ecr.aws/docker/library/node:20\n');
    const { code, report } = await doctor('all-right');
    expect(failingResults(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.results.some((r) => r.check === 'build-role-can-pull' && r.status === 'pass')).toBe(true);
    expect(report.results.some((r) => r.check === 'registry-login' && r.status === 'pass')).toBe(true);
    expect(report.results.some((r) => r.check === 'docker-daemon' && r.status === 'pass')).toBe(true);
  });

  it('an anonymous Docker Hub pull warns: exit 0, and 1 with --fail-on warning', async () => {
    const plain = await doctor('docker-hub');
    expect(plain.code).toBe(0);
    expect(plain.report.results.find((r) => r.check === 'docker-hub-rate-limit')?.status).toBe('warn');
    expect((await doctor('docker-hub', ['--fail-on', 'warning'])).code).toBe(1);
  });

  it('a local buildspec whose docker build FROMs a private ECR image is diagnosed the same way', async () => {
    const dir = await mkdtemp(join(work, 'checkout-'));
    await writeFile(join(dir, 'buildspec.yml'), buildspec('docker build -t app .'));
    await writeFile(join(dir, 'Dockerfile'), `ARG BASE=${HOST}/app\nFROM $BASE:1 AS base\nFROM base\n`);
    const { code, report } = await doctor('from-dockerfile', ['--buildspec', join(dir, 'buildspec.yml')]);
    expect(code).toBe(1);
    const [r] = failing(report, 'registry-login');
    expect(r?.message).toContain(IMAGE);
    expect(r?.message).toContain('docker build -t app .');
  });

  it('a buildspec given alone (no project, no eb settings) is diagnosed for what it pulls, not passed with 0 checks', async () => {
    const dir = await mkdtemp(join(work, 'alone-'));
    await writeFile(join(dir, 'buildspec.yml'), buildspec(`docker pull ${IMAGE}`));
    const run = await runCliJson<JsonReport>(['doctor', '--buildspec', join(dir, 'buildspec.yml'), '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: dir });
    expect(run.code).toBe(1);
    const byCheck = (id: string) => run.json.results.filter((r) => r.check === id).map((r) => r.status);
    expect(byCheck('registry-login')).toEqual(['fail']);
    expect(byCheck('image-exists')).toEqual(['pass']);
    expect(byCheck('build-role-can-pull')).toEqual(['skip']);
    expect(byCheck('docker-daemon')).toEqual(['skip']);
  });

  it('a buildspec in the source that is not at hand is said, never passed over', async () => {
    const { report } = await doctor('from-dockerfile');
    const r = report.results.find((x) => x.check === 'buildspec-pulls');
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('run ecr-doctor from a checkout');
  });

  it('the text report names the in-build pull and the fix', async () => {
    const run = await runCli(['doctor', '--project', 'no-login'], { env: { ...cli.env, HOME: work }, cwd: work });
    expect(run.stdout).toContain(`(in the build: docker pull ${IMAGE})`);
    expect(run.stdout).toContain(LOGIN);
  });
});

describe('fix for pulls inside the build', () => {
  const fix = (name: string) => runCli(['fix', '--project', name, '--dry-run'], { env: { ...cli.env, HOME: work }, cwd: work });

  it('plans the role grant for the repositories pulled, the way SERVICE_ROLE mode does', async () => {
    const run = await fix('role-no-token');
    expect(run.code).toBe(0);
    const planned = JSON.parse(run.stdout) as { Statement: Array<{ Sid: string; Action: unknown; Resource: unknown }> };
    expect(planned.Statement.map((s) => s.Sid).sort()).toEqual(['EcrDoctorAuthToken', 'EcrDoctorRolePull']);
    expect(planned.Statement.find((s) => s.Sid === 'EcrDoctorRolePull')?.Resource).toBe(`arn:aws:ecr:${REGION}:${account}:repository/app`);
  });

  it('prints the exact login line and the privileged-mode command, and edits neither the buildspec nor the project', async () => {
    const login = await fix('no-login');
    expect(login.stderr).toContain(LOGIN);
    const daemon = await fix('not-privileged');
    expect(daemon.stderr).toContain("aws codebuild update-project --name not-privileged --environment file://env-privileged.json");
  });
});
