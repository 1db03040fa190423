import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 15 item 4 over two accounts on moto (sts:AssumeRole into the member account, which moto
// supports): each account's projects are grouped under their own account and region, and the
// member account's group prints the fix command that acts there (--account ID --assume-role ROLE),
// which, run with --yes, fixes that account's projects and leaves the other account's alone.

let server: MotoServer;
let cli: CliAccount;
let work: string;
const HOME_ACCOUNT = '192837465019';
const MEMBER = '918273645091';
const ROLE = 'EcrDoctorAudit';
const REPO = 'org/base';
const EVERYONE = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${HOME_ACCOUNT}:root` }, Action: 'sts:AssumeRole' }] };

interface Group { check: string; count: number; account?: string; region?: string; fix?: { command?: string; commandNote?: string } }
type Report = JsonReport & { groups: Group[] };

async function account(clients: TestClients, prefix: string, count: number): Promise<void> {
  await createRepository(clients, REPO);
  await putImage(clients, REPO, 'v1');
  const roleArn = await createRole(clients, `${prefix}-build`, { path: '/service-role/' });
  for (let i = 0; i < count; i++) await createProject(clients, { name: `${prefix}-${i}`, image: `${clients.account}.dkr.ecr.us-east-1.amazonaws.com/${REPO}:v1`, serviceRoleArn: roleArn });
}

const env = () => ({ ...cli.env, HOME: work });
const doctorJson = () => runCliJson<Report>(['doctor', '--accounts', `${HOME_ACCOUNT},${MEMBER}`, '--assume-role', ROLE, '--region', 'us-east-1', '--format', 'json'], { env: env(), cwd: work, timeoutMs: 120_000 });
const pullGroups = (r: Report) => r.groups.filter((g) => g.check === 'codebuild-principal-can-pull');

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-groups-accounts-'));
  const home = makeTestClients(server.endpoint, HOME_ACCOUNT);
  const member = makeTestClients(server.endpoint, MEMBER);
  cli = await createCliAccount(home);
  await createRole(member, ROLE, { assumeRolePolicy: EVERYONE, inline: { admin: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } });
  await account(home, 'home', 4);
  await account(member, 'member', 5);
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('the report at scale over two accounts, against moto', () => {
  it("groups each account's projects under its own account, the member's command assuming the run's role", async () => {
    const r = await doctorJson();
    expect(r.code, r.stderr).toBe(1);
    const groups = pullGroups(r.json);
    expect(groups.map((g) => [g.account, g.region, g.count])).toEqual([[MEMBER, 'us-east-1', 5], [HOME_ACCOUNT, 'us-east-1', 4]]);
    expect(groups[0]!.fix!.command).toBe(`ecr-doctor fix --all-projects --dry-run --region us-east-1 --account ${MEMBER} --assume-role ${ROLE}`);
    expect(groups[1]!.fix!.command).toBe('ecr-doctor fix --all-projects --dry-run --region us-east-1');
    const text = await runCli(['doctor', '--accounts', `${HOME_ACCOUNT},${MEMBER}`, '--assume-role', ROLE, '--region', 'us-east-1'], { env: env(), cwd: work, timeoutMs: 120_000 });
    expect(text.stdout).toContain(`X repository ${REPO} (account ${MEMBER}, us-east-1): 5 projects cannot pull in CODEBUILD mode`);
    expect(text.stdout).toMatch(/^9 projects in 2 accounts × 1 region: 9 failing\.$/m);
  }, 120_000);

  it("the member account's group command, with --yes, fixes that account's projects and only those", async () => {
    const before = await doctorJson();
    const command = pullGroups(before.json)[0]!.fix!.command!;
    const fixed = await runCli([...command.replace(/^ecr-doctor /, '').replace('--dry-run', '--yes').split(' '), '--quiet'], { env: env(), cwd: work, timeoutMs: 120_000 });
    expect(fixed.code, fixed.stderr).toBe(0);
    const after = await doctorJson();
    expect(pullGroups(after.json).map((g) => [g.account, g.count])).toEqual([[HOME_ACCOUNT, 4]]);
  }, 120_000);
});
