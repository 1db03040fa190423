import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createRepository, createRole, makeTestClients, putImage } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { makeLimiter, runCli, runCliJson, type JsonReport } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// Issue 15 item 4, end to end against moto: 150 projects that one repository statement fixes are
// one group, and the command the group prints really fixes all of them. 150 project ARNs do not
// fit in one aws:SourceArn list under ECR's 10,240-character limit on a repository policy
// (SetRepositoryPolicy API reference), so the command carries --scope account, and the same
// command without it is refused: the test shows both.

let server: MotoServer;
let cli: CliAccount;
let work: string;
const account = '246813579024';
const REPO = 'org/base';
const COUNT = 150;
const names = Array.from({ length: COUNT }, (_, i) => `scale-build-project-${String(i).padStart(3, '0')}`);

interface Group { check: string; count: number; subjects: string[]; fix?: { command?: string; commandNote?: string } }
type Report = JsonReport & { groups: Group[] };

function run(args: string[]) {
  return runCli(args, { env: { ...cli.env, HOME: work }, cwd: work, timeoutMs: 120_000 });
}

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-groups-'));
  const clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  await createRepository(clients, REPO);
  await putImage(clients, REPO, 'v1');
  const roleArn = await createRole(clients, 'scale-build', { path: '/service-role/' });
  const limit = makeLimiter(8);
  await Promise.all(names.map((name) => limit(() => createProject(clients, { name, image: `${account}.dkr.ecr.us-east-1.amazonaws.com/${REPO}:v1`, serviceRoleArn: roleArn }))));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('the report at scale against moto: one group, one command that fixes it', () => {
  let command = '';

  it(`doctor --all-projects groups the ${COUNT} projects under the one repository statement that fixes them`, async () => {
    const r = await runCliJson<Report>(['doctor', '--all-projects', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(1);
    // Each project's S3 source (its buildspec) is not there on moto: a warning each, one group too, after the failures.
    expect(r.json.groups.map((g) => [g.check, g.count])).toEqual([['codebuild-principal-can-pull', COUNT], ['buildspec-pulls', COUNT]]);
    command = r.json.groups[0]!.fix!.command!;
    expect(command).toBe('ecr-doctor fix --all-projects --scope account --dry-run --region us-east-1');
    const text = await run(['doctor', '--all-projects']);
    expect(text.stdout).toContain(`X repository ${REPO} (account ${account}, us-east-1): ${COUNT} projects cannot pull in CODEBUILD mode: codebuild.amazonaws.com may not pull from ${REPO}: the repository has no repository policy.`);
    expect(text.stdout).toContain(`  Fix: one repository policy statement fixes all ${COUNT}: ${command}`);
    expect(text.stdout.split('\n').filter((l) => l.includes('scale-build-project-'))).toEqual([]);
  }, 120_000);

  it('without --scope account, fix --all-projects refuses the policy as over the limit (why the group adds it)', async () => {
    const r = await run(['fix', '--all-projects', '--dry-run']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/over the 10240-character limit/);
  }, 120_000);

  it('the group command, with --yes for --dry-run, fixes every project of the group; doctor then finds only the warnings', async () => {
    expect(command).not.toBe('');
    const args = command.replace(/^ecr-doctor /, '').replace('--dry-run', '--yes').split(' ');
    const fixed = await run([...args, '--quiet']);
    expect(fixed.code, fixed.stderr).toBe(0);
    const after = await runCliJson<Report>(['doctor', '--all-projects', '--format', 'json'], { env: { ...cli.env, HOME: work }, cwd: work, timeoutMs: 120_000 });
    expect(after.code, after.stderr).toBe(0);
    expect(after.json.groups.map((g) => g.check)).toEqual(['buildspec-pulls']);
    expect(after.json.results.filter((x) => x.check === 'codebuild-principal-can-pull').map((x) => x.status)).toEqual(Array(COUNT).fill('pass'));
  }, 120_000);
});
