import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { motoAccountPlugin, TEST_CREDENTIALS } from '../support/aws.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 15, "Done when": three accounts × two regions on moto, one run with --accounts and
// --assume-role (moto's AssumeRole answers credentials that act in the role's account: STS
// models.py, "The ARN can point to another account"), each account's failing projects reported
// under it; an account whose role cannot be assumed is an error for that account only. moto
// assumes any role, so the refusal comes from a fault proxy answering AccessDenied for that one
// role ARN, as the STS API Reference (AssumeRole, Errors; "Common Errors": AccessDenied, 403) says.

let server: MotoServer;
let proxy: FaultProxy;
let cli: CliAccount;
const [MGMT, A, B, DENIED] = ['246813579024', '246813579025', '246813579026', '246813579027'];
const ROLE = 'ecr-doctor-read';
const REGIONS = ['us-east-1', 'eu-west-1'];

interface ScopedResult {
  check: string;
  status: string;
  subject: string;
  message: string;
  account?: string;
  region?: string;
}
type ScopedReport = Omit<JsonReport, 'results' | 'target'> & { results: ScopedResult[]; scopes: Array<{ account?: string; region?: string; status: string; projects?: number; message?: string; hint?: string }>; target: Record<string, unknown> };

function clientsIn(account: string, region: string): TestClients {
  return makeTestClients(server.endpoint, account, undefined, region);
}

beforeAll(async () => {
  server = await startMotoServer();
  proxy = await startFaultProxy(server.endpoint, (call, _nth, body) => (call === 'sts:AssumeRole' && body.includes(DENIED) ? 'deny' : 'pass'));
  cli = await createCliAccount(clientsIn(MGMT, 'us-east-1'), { endpoint: proxy.endpoint });
  const a = clientsIn(A, 'us-east-1');
  const role = await createRole(a, 'build-role', { inline: { ecr: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } } });
  const repo = await createRepository(a, 'app');
  await putImage(a, 'app', 'v1');
  // A, us-east-1: one project that cannot pull (CODEBUILD mode, no repository policy), one curated.
  await createProject(a, { name: 'a-broken', image: `${repo.repositoryUri}:v1`, serviceRoleArn: role, imagePullCredentialsType: 'CODEBUILD' });
  await createProject(a, { name: 'a-curated', image: 'aws/codebuild/standard:7.0', serviceRoleArn: role });
  // A, eu-west-1: a project whose tag does not exist in its own region's repository.
  const aEu = clientsIn(A, 'eu-west-1');
  const euRepo = await createRepository(aEu, 'app-eu');
  await createProject(aEu, { name: 'a-eu-missing-tag', image: `${euRepo.repositoryUri}:nope`, serviceRoleArn: role, imagePullCredentialsType: 'SERVICE_ROLE' });
  // B, us-east-1: a curated image only; B, eu-west-1: no project at all.
  const b = clientsIn(B, 'us-east-1');
  const bRole = await createRole(b, 'b-role');
  await createProject(b, { name: 'b-curated', image: 'aws/codebuild/standard:7.0', serviceRoleArn: bRole });
  // B pulls A's image as its service role; A's repository policy lets B's role pull. With both
  // accounts in the run, A's half (its repository and registry) is read as A, not guessed from B.
  const pull = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
  const pullerRole = await createRole(b, 'b-puller', { inline: { pull: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [...pull, 'ecr:GetAuthorizationToken'], Resource: '*' }] } } });
  const shared = await createRepository(a, 'shared', { Version: '2012-10-17', Statement: [{ Sid: 'BPulls', Effect: 'Allow', Principal: { AWS: pullerRole }, Action: pull }] });
  await putImage(a, 'shared', 'v2');
  await createProject(b, { name: 'b-cross', image: `${shared.repositoryUri}:v2`, serviceRoleArn: pullerRole, imagePullCredentialsType: 'SERVICE_ROLE' });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await server?.stop();
});

function run(args: string[]) {
  return runCli(['doctor', '--accounts', [MGMT, A, B, DENIED].join(','), '--assume-role', ROLE, '--region', REGIONS.join(','), ...args], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
}

describe('doctor --accounts --assume-role --region a,b (moto, three accounts and a refused one)', () => {
  it('reports each account × region under its own name, and the refused account as an error for that account only', async () => {
    const r = await runCliJson<ScopedReport>(['doctor', '--accounts', [MGMT, A, B, DENIED].join(','), '--assume-role', ROLE, '--region', REGIONS.join(','), '--format', 'json'], {
      env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint },
    });
    expect(r.code, r.stderr).toBe(1);
    const report = r.json;
    const read = report.scopes.filter((s) => s.status === 'read').map((s) => `${s.account}/${s.region}:${s.projects}`);
    expect(read).toEqual([`${MGMT}/eu-west-1:0`, `${MGMT}/us-east-1:0`, `${A}/eu-west-1:1`, `${A}/us-east-1:2`, `${B}/eu-west-1:0`, `${B}/us-east-1:2`]);
    const denied = report.scopes.filter((s) => s.status === 'error');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ account: DENIED });
    expect(denied[0]!.region).toBeUndefined();
    expect(denied[0]!.message).toContain(`arn:aws:iam::${DENIED}:role/${ROLE}`);
    expect(denied[0]!.hint).toMatch(/trust policy/);
    expect(denied[0]!.hint).toContain('sts:AssumeRole');

    const failing = report.results.filter((x) => x.status === 'fail');
    // Every result says where it was judged.
    for (const x of report.results) expect(x.account, x.subject).toMatch(/^\d{12}$/);
    const broken = failing.filter((x) => x.subject.endsWith(':project/a-broken'));
    expect(broken.map((x) => x.check)).toContain('codebuild-principal-can-pull');
    expect(broken.every((x) => x.account === A && x.region === 'us-east-1')).toBe(true);
    // The fix acts on the scope's own region, through the role assumed in its account.
    const fixCommand = (broken.find((x) => x.check === 'codebuild-principal-can-pull') as { fix?: { command?: string } } | undefined)?.fix?.command ?? '';
    expect(fixCommand).toContain(`--region us-east-1 --account ${A} --assume-role ${ROLE}`);
    expect(fixCommand).not.toContain(',');
    expect(failing.some((x) => x.check === 'image-exists' && x.account === A && x.region === 'eu-west-1')).toBe(true);
    expect(failing.filter((x) => x.account === B)).toEqual([]);
    const cross = report.results.filter((x) => x.subject.endsWith(':project/b-cross'));
    expect(cross.find((x) => x.check === 'service-role-can-pull')?.status).toBe('pass');
    expect(cross.filter((x) => /cannot read from this account/.test(x.message))).toEqual([]);
    const scopeError = report.results.filter((x) => x.check === 'scope-read');
    expect(scopeError).toMatchObject([{ status: 'error', account: DENIED }]);
    expect(report.target).toMatchObject({ account: MGMT, accounts: [MGMT, A, B, DENIED], regions: REGIONS, assumeRole: ROLE });
    // One AssumeRole per member account, however many regions: the caller's own account uses its own credentials.
    const assumed = proxy.calls.filter((c) => c === 'sts:AssumeRole').length;
    expect(assumed).toBe(3);
  }, 120_000);

  it('streams JSON Lines: a run line first, results tagged with their scope, a scope line each, a summary last', async () => {
    const r = await run(['--format', 'jsonl']);
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ type: 'run', schemaVersion: 1 });
    expect(lines.at(-1)).toMatchObject({ type: 'summary', scopes: 7, scopeErrors: 1 });
    const scopes = lines.filter((l) => l.type === 'scope');
    expect(scopes).toHaveLength(7);
    const results = lines.filter((l) => l.type === 'result');
    expect(results.length).toBeGreaterThan(0);
    expect(results.every((l) => typeof l.account === 'string')).toBe(true);
    const summary = lines.at(-1)!.summary as Record<string, number>;
    expect(summary.fail).toBe(results.filter((l) => l.status === 'fail').length);
  }, 120_000);

  it('a single-account run through --account and --assume-role reads that account only', async () => {
    const r = await runCliJson<ScopedReport>(['doctor', '--account', A, '--assume-role', ROLE, '--all-projects', '--format', 'json'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.target).toMatchObject({ account: A });
    expect(r.json.results.some((x) => x.subject.endsWith(':project/a-broken') && x.status === 'fail')).toBe(true);
  }, 60_000);

  it('--all-projects --format jsonl streams one account and region too, through the same runner', async () => {
    const r = await runCli(['doctor', '--account', A, '--assume-role', ROLE, '--all-projects', '--format', 'jsonl'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.filter((l) => l.type === 'scope')).toEqual([{ type: 'scope', account: A, region: 'us-east-1', status: 'read', projects: 2 }]);
    expect(lines.some((l) => l.type === 'result' && l.status === 'fail' && String(l.subject).endsWith(':project/a-broken'))).toBe(true);
  }, 60_000);

  it('a run that finds no project anywhere is "nothing to check" (exit 2), never a pass', async () => {
    const r = await runCli(['doctor', '--region', 'us-east-1,eu-west-1', '--format', 'jsonl'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: nothing to check: no CodeBuild project in the account, regions us-east-1, eu-west-1');
  }, 60_000);

  it('--account whose role cannot be assumed exits 3 naming the role and the trust policy it needs', async () => {
    const r = await runCli(['doctor', '--account', DENIED, '--assume-role', ROLE, '--all-projects'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`error: cannot assume arn:aws:iam::${DENIED}:role/${ROLE}`);
    expect(r.stderr).toMatch(/hint: create the role in account \d{12}/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('without the owner account in the run, the cross-account pull is not judged from B alone (the two halves need both accounts)', async () => {
    const r = await runCliJson<ScopedReport>(['doctor', '--accounts', B, '--assume-role', ROLE, '--region', 'us-east-1', '--format', 'json'], { env: { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint } });
    const cross = r.json.results.filter((x) => x.subject.endsWith(':project/b-cross'));
    expect(cross.length).toBeGreaterThan(0);
    expect(cross.find((x) => x.check === 'service-role-can-pull')?.status).not.toBe('pass');
  }, 60_000);
});

describe('doctor --organization --all-regions (moto Organizations, EC2 DescribeRegions, the SSM global-infrastructure parameters)', () => {
  const ORG_MGMT = '246813579030';
  let orgCli: CliAccount;
  let member: string;

  beforeAll(async () => {
    const org = new OrganizationsClient({ region: 'us-east-1', endpoint: server.endpoint, credentials: TEST_CREDENTIALS, maxAttempts: 1 });
    org.middlewareStack.use(motoAccountPlugin(ORG_MGMT));
    await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created = await org.send(new CreateAccountCommand({ AccountName: 'builds', Email: 'builds@example.com' }));
    member = created.CreateAccountStatus?.AccountId ?? '';
    expect(member).toMatch(/^\d{12}$/);
    orgCli = await createCliAccount(clientsIn(ORG_MGMT, 'us-east-1'), { endpoint: server.endpoint });
    const sydney = clientsIn(member, 'ap-southeast-2');
    const role = await createRole(sydney, 'syd-role');
    const repo = await createRepository(sydney, 'syd');
    await putImage(sydney, 'syd', 'v1');
    await createProject(sydney, { name: 'syd-broken', image: `${repo.repositoryUri}:v1`, serviceRoleArn: role, imagePullCredentialsType: 'CODEBUILD' });
  }, 120_000);

  it('lists the accounts and the regions where CodeBuild runs, and finds the one broken project', async () => {
    const r = await runCli(['doctor', '--organization', '--assume-role', ROLE, '--all-regions', '--format', 'jsonl', '--verbose'], { env: { ...orgCli.env } });
    expect(r.code, r.stderr).toBe(1);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const scopes = lines.filter((l) => l.type === 'scope');
    const accounts = new Set(scopes.map((l) => l.account));
    expect(accounts).toEqual(new Set([ORG_MGMT, member]));
    const regions = new Set(scopes.map((l) => l.region));
    // Enabled regions (DescribeRegions) that CodeBuild serves (the SSM parameters): more than a handful, both halves.
    expect(regions.has('ap-southeast-2')).toBe(true);
    expect(regions.has('us-east-1')).toBe(true);
    expect(regions.size).toBeGreaterThan(10);
    expect(scopes.every((l) => l.status === 'read')).toBe(true);
    const broken = lines.filter((l) => l.type === 'result' && l.status === 'fail');
    expect(new Set(broken.map((l) => `${l.account}/${l.region}`))).toEqual(new Set([`${member}/ap-southeast-2`]));
  }, 180_000);
});

