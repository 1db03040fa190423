// Issues 12 and 14, fix side, through the built CLI against a private moto server: the merge
// keeps every foreign byte, refuses what it would change, says what it wrote and how to undo
// it (restore), and the flag conflicts. Build first: node scripts/build.mjs.
import { spawn } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, cleanEnv } from '../cli/spawn.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

let server: MotoServer;
let clients: TestClients;
let cli: CliAccount;
let work: string;
let roleArn: string;
const account = '246813579024';

const unrelated = {
  Sid: 'CiPublisherPush',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:role/ci-publisher` },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload'],
};

async function scenario(c: TestClients, name: string, policyText: string | null, role: string): Promise<void> {
  await createRepository(c, name);
  if (policyText !== null) await c.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText }));
  await putImage(c, name, 'v1');
  await createProject(c, { name, image: `${c.account}.dkr.ecr.us-east-1.amazonaws.com/${name}:v1`, serviceRoleArn: role });
}

async function policyText(name: string, c: TestClients = clients): Promise<string | undefined> {
  try {
    return (await c.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText;
  } catch (e) {
    if ((e as Error).name === 'RepositoryPolicyNotFoundException') return undefined;
    throw e;
  }
}

const freshHome = () => mkdtemp(join(work, 'home-'));
const run = (args: string[], home: string, env: Record<string, string> = cli.env) => runCli(args, { env: { ...env, HOME: home }, cwd: work });

let snapshots = 0;
/** The seed snapshot with another repository policy text. */
async function snapshotWith(text: string): Promise<string> {
  const seed = JSON.parse(await readFile(join(import.meta.dirname, '..', '..', 'fixtures', 'snapshots', 'seed-codebuild-mode.json'), 'utf8'));
  const repo = Object.keys(seed.repositories)[0]!;
  seed.repositories[repo].policy.value.text = text;
  const path = join(work, `snapshot-${snapshots++}.json`);
  await writeFile(path, JSON.stringify(seed));
  return path;
}

/** The backup path fix printed in its "applied:" line. */
function backupOf(stderr: string): string {
  const m = /to undo: ecr-doctor restore (\S+) --yes/.exec(stderr);
  if (!m) throw new Error(`no restore command in:\n${stderr}`);
  return m[1]!;
}

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-fix-hard-'));
  clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  roleArn = await createRole(clients, 'fix-hard-build', { path: '/service-role/' });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('fix keeps every byte it did not write (issue 12, item 2)', () => {
  it('a CRLF, tab-indented policy with \\u00e9 and \\/: the foreign statement comes back byte for byte', async () => {
    const foreign = `{\r\n\t\t"Sid": "Caf\\u00e9Push",\r\n\t\t"Effect": "Allow",\r\n\t\t"Principal": {"AWS": "arn:aws:iam::${account}:role\\/ci-publisher"},\r\n\t\t"Action": "ecr:PutImage",\r\n\t\t"Condition": {"StringEquals": {"aws:PrincipalTag/team": "caf\u00e9"}}\r\n\t}`;
    const text = `{\r\n\t"Version": "2012-10-17",\r\n\t"Statement": [\r\n\t${foreign}\r\n\t]\r\n}`;
    await scenario(clients, 'bytes', text, roleArn);
    expect(await policyText('bytes')).toBe(text);
    const r = await run(['fix', '--project', 'bytes', '--yes', '--quiet'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    const after = (await policyText('bytes'))!;
    const end = text.indexOf(foreign) + foreign.length;
    expect(after.slice(0, end)).toBe(text.slice(0, end));
    expect(after.endsWith(text.slice(end))).toBe(true);
    expect(JSON.parse(after).Statement[1].Sid).toBe('EcrDoctorCodeBuildPull');
  });

  it('two "Statement" keys: one line naming the policy and the path, exit 3, nothing written', async () => {
    const text = `{"Version":"2012-10-17","Statement":[${JSON.stringify(unrelated)}],"Statement":[${JSON.stringify({ ...unrelated, Sid: 'Second' })}]}`;
    await scenario(clients, 'dup-keys', text, roleArn);
    const before = await policyText('dup-keys');
    const r = await run(['fix', '--project', 'dup-keys', '--yes'], await freshHome());
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot plan the fix: the repository policy of dup-keys \(account \d+\) has two "Statement" keys at \$; ecr-doctor will not rewrite it/m);
    expect(r.stderr).not.toMatch(/this is a bug/);
    expect(await policyText('dup-keys')).toBe(before);
  });

  it.each([
    ['a number JSON cannot hold exactly', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"NumericGreaterThan":{"aws:EpochTime":9007199254740993.5}}}]}', /holds the number 9007199254740993\.5 at \$\.Statement\[0\]\.Condition\.NumericGreaterThan\["aws:EpochTime"\], which JSON cannot represent exactly; ecr-doctor will not rewrite it/],
    ['1e400', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"NumericGreaterThan":{"aws:EpochTime":1e400}}}]}', /holds the number 1e400 at \$\.Statement\[0\]\.Condition\.NumericGreaterThan\["aws:EpochTime"\], which JSON cannot represent exactly/],
    ['"Effect":"Deny","Effect":"Allow"', '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Effect":"Allow","Principal":"*","Action":"ecr:PutImage"}]}', /has two "Effect" keys at \$\.Statement\[0\]; ecr-doctor will not rewrite it/],
  ])('%s (snapshot; moto refuses to store it): one line naming the policy and the JSON path, exit 3', async (_what, text, message) => {
    const r = await runCli(['fix', '--snapshot', await snapshotWith(text)], { cwd: work });
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot plan the fix: the repository policy of seed-app \(account 123456789012\) /m);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
  });

  it('a policy the grammar rejects (a null condition value) is a one-line exit 3, never "a bug in ecr-doctor"', async () => {
    const r = await runCli(['fix', '--snapshot', await snapshotWith('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:x":null}}}]}')], { cwd: work });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot plan the fix: the repository policy of seed-app \(account 123456789012\) cannot be read \(\$\.Statement\[0\]\.Condition\.StringEquals\["aws:x"\]: .*null\); ecr-doctor will not rewrite it$/m);
    expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
  });
});

describe('fix says what it did, and how to undo it (issue 14)', () => {
  it('--dry-run shows the statement it adds and what it keeps on stderr; stdout stays the policy JSON', async () => {
    await scenario(clients, 'dry-diff', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const r = await run(['fix', '--project', 'dry-diff', '--dry-run'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Statement).toHaveLength(2);
    expect(r.stderr).toMatch(/^would update the repository policy of dry-diff/m);
    expect(r.stderr).toMatch(/^ {2}adds statement "EcrDoctorCodeBuildPull":$/m);
    expect(r.stderr).toMatch(/^ {2}keeps 1 other statement unchanged$/m);
  });

  it('--yes --quiet still prints one line per change: what it wrote, the backup, and the restore command', async () => {
    await scenario(clients, 'quiet', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const r = await run(['fix', '--project', 'quiet', '--yes', '--quiet'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^applied: update the repository policy of quiet .*\(the previous policy is saved in \S+\); to undo: ecr-doctor restore \S+ --yes$/);
  });

  it('without --quiet it also says what ECR cannot guarantee about concurrent writers', async () => {
    await scenario(clients, 'loud', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const r = await run(['fix', '--project', 'loud', '--yes'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('a change made by someone else in the same second can be overwritten: ECR and IAM have no conditional write; run fix where nothing else writes the policy (not while Terraform applies, for example)');
  });

  it('restore: dry-run shows the diff and writes nothing; --yes puts the old bytes back; that too prints its undo', async () => {
    const original = JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }, null, 4);
    await scenario(clients, 'undo', original, roleArn);
    const home = await freshHome();
    const fixed = await run(['fix', '--project', 'undo', '--yes', '--quiet'], home);
    expect(fixed.code, fixed.stderr).toBe(0);
    const file = backupOf(fixed.stderr);
    const record = JSON.parse(await readFile(file, 'utf8'));
    expect(record).toMatchObject({ format: 'ecr-doctor-backup/2', kind: 'repository-policy', region: 'us-east-1', registryId: account, repositoryName: 'undo', existed: true, policyText: original, written: await policyText('undo') });

    const dry = await run(['restore', file], home);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^--- live policy$/m);
    expect(dry.stdout).toMatch(/^-\s+"Sid": "EcrDoctorCodeBuildPull",$/m);
    expect(dry.stderr).toMatch(/^would restore the repository policy of undo \(account \d+, us-east-1\) to the policy saved at /m);
    expect(dry.stderr).toContain(`to write: ecr-doctor restore ${file} --yes`);
    expect(await policyText('undo')).toBe(record.written);

    const yes = await run(['restore', file, '--yes', '--quiet'], home);
    expect(yes.code, yes.stderr).toBe(0);
    expect(await policyText('undo')).toBe(original);
    expect(yes.stderr.trim().split('\n')).toHaveLength(1);
    const again = backupOf(yes.stderr);
    expect(JSON.parse(await readFile(again, 'utf8'))).toMatchObject({ policyText: record.written, written: original });
  });

  it('restore of "no policy before" deletes the repository policy', async () => {
    await scenario(clients, 'undo-none', null, roleArn);
    const home = await freshHome();
    const fixed = await run(['fix', '--project', 'undo-none', '--yes', '--quiet'], home);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(await policyText('undo-none')).toBeDefined();
    const r = await run(['restore', backupOf(fixed.stderr), '--yes'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^deleted the repository policy of undo-none .*\(there was none at .*\); the previous policy is saved in \S+; to undo: ecr-doctor restore \S+ --yes$/m);
    expect(await policyText('undo-none')).toBeUndefined();
  });

  it('SERVICE_ROLE: restore of "no inline policy before" deletes the inline role policy fix wrote', async () => {
    const role = await createRole(clients, 'undo-role-build', { path: '/service-role/' });
    await createRepository(clients, 'undo-role');
    await putImage(clients, 'undo-role', 'v1');
    await createProject(clients, { name: 'undo-role', image: `${account}.dkr.ecr.us-east-1.amazonaws.com/undo-role:v1`, serviceRoleArn: role, imagePullCredentialsType: 'SERVICE_ROLE' });
    const home = await freshHome();
    const fixed = await run(['fix', '--project', 'undo-role', '--yes', '--quiet'], home);
    expect(fixed.code, fixed.stderr).toBe(0);
    const names = async () => (await clients.iam.send(new ListRolePoliciesCommand({ RoleName: 'undo-role-build' }))).PolicyNames ?? [];
    expect(await names()).toContain('ecr-doctor-image-pull');
    const file = backupOf(fixed.stderr);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ kind: 'role-policy', roleName: 'undo-role-build', policyName: 'ecr-doctor-image-pull', existed: false });
    const r = await run(['restore', file, '--yes'], home);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^deleted the inline policy ecr-doctor-image-pull of role undo-role-build /m);
    expect(await names()).not.toContain('ecr-doctor-image-pull');
  });

  it('restore refuses when the live policy changed since fix wrote it, unless --overwrite-changed', async () => {
    const original = JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] });
    await scenario(clients, 'undo-changed', original, roleArn);
    const home = await freshHome();
    const file = backupOf((await run(['fix', '--project', 'undo-changed', '--yes', '--quiet'], home)).stderr);
    const meanwhile = JSON.stringify({ Version: '2012-10-17', Statement: [unrelated, { ...unrelated, Sid: 'AddedLater' }] });
    await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'undo-changed', policyText: meanwhile }));
    const refused = await run(['restore', file, '--yes'], home);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^error: the repository policy of undo-changed .* changed since fix wrote it .*; nothing was written$/m);
    expect(refused.stderr).toMatch(/^hint: .*--overwrite-changed/m);
    expect(await policyText('undo-changed')).toBe(meanwhile);
    const forced = await run(['restore', file, '--yes', '--overwrite-changed'], home);
    expect(forced.code, forced.stderr).toBe(0);
    expect(await policyText('undo-changed')).toBe(original);
  });

  it('an old-format backup (no written text) is readable: dry-run works, --yes needs --overwrite-changed', async () => {
    const original = JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] });
    await scenario(clients, 'undo-v1', original, roleArn);
    await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'undo-v1', policyText: JSON.stringify({ Version: '2012-10-17', Statement: [{ ...unrelated, Sid: 'SomethingElse' }] }) }));
    const file = join(work, 'v1-backup.json');
    await writeFile(file, JSON.stringify({ resource: `arn:aws:ecr:us-east-1:${account}:repository/undo-v1`, savedAt: '2026-01-01T00:00:00.000Z', existed: true, policyText: original }));
    const home = await freshHome();
    const dry = await run(['restore', file], home);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toMatch(/written by an older ecr-doctor and does not record what fix wrote/);
    expect((await run(['restore', file, '--yes'], home)).code).toBe(3);
    expect((await run(['restore', file, '--yes', '--overwrite-changed'], home)).code).toBe(0);
    expect(await policyText('undo-v1')).toBe(original);
  });

  it.each([
    ['a missing file', 'nope.json', /^error: cannot read the backup .*nope\.json: no such file$/m],
    ['not JSON', 'garbage.json', /^error: .*garbage\.json is not an ecr-doctor backup: it is not JSON$/m],
    ['a JSON file of another kind', 'other.json', /^error: .*other\.json is not an ecr-doctor backup: it has no "existed" true\/false$/m],
  ])('restore of %s is a one-line usage error (exit 2)', async (_what, name, message) => {
    await writeFile(join(work, 'garbage.json'), '{oops');
    await writeFile(join(work, 'other.json'), '{"name":"x"}');
    const r = await run(['restore', join(work, name)], await freshHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/^hint: /m);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
  });
});

/**
 * A loopback proxy to moto that lets SetRepositoryPolicy reach moto and then drops the
 * connection before the answer: the write was applied, and the caller cannot know it.
 */
async function startAnswerDroppingProxy(moto: string): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const upstream = new URL(moto);
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
        if (String(req.headers['x-amz-target'] ?? '').endsWith('.SetRepositoryPolicy')) {
          up.resume();
          up.on('end', () => req.socket.destroy());
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => proxy.close(() => resolve())),
  };
}

describe('a write whose answer is lost (issue 12, item 3)', () => {
  it('says the write may or may not have been applied, and where the backup is; exit 3', async () => {
    await scenario(clients, 'lost-answer', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const proxy = await startAnswerDroppingProxy(server.endpoint);
    try {
      const r = await run(['fix', '--project', 'lost-answer', '--yes', '--quiet'], await freshHome(), { ...cli.env, AWS_ENDPOINT_URL: proxy.endpoint });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/^error: update the repository policy of lost-answer .*: .*; the write may or may not have been applied; the previous policy is saved in \S+\.json$/m);
      expect(r.stderr).toMatch(/^hint: run doctor to see where the policy stands; if the write was applied, undo it with: ecr-doctor restore \S+ --yes$/m);
      expect(r.stderr).not.toMatch(/nothing was written|this is a bug/);
    } finally {
      await proxy.close();
    }
  });
});

describe('fix flags (issue 14) and paths (issue 12, item 7)', () => {
  it.each([
    [['--dry-run', '--yes'], /^error: --dry-run writes nothing and --yes writes without asking: give one of them$/m],
    [['--snapshot', 'x.json', '--yes'], /^error: --snapshot plans from a recorded run and never writes; it cannot be combined with --yes$/m],
  ])('fix %j is a usage error (exit 2), before any AWS call', async (flags, message) => {
    const r = await runCli(['fix', ...(flags[0] === '--snapshot' ? [] : ['--project', 'anything']), ...flags], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('--backup /dev/null is refused as not a regular file (exit 2), nothing written, no /dev/null.1', async () => {
    await scenario(clients, 'dev-null', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const before = await policyText('dev-null');
    const r = await run(['fix', '--project', 'dev-null', '--yes', '--backup', '/dev/null'], await freshHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --backup \/dev\/null is not a regular file or a folder \(a device, a pipe or a socket\)/m);
    expect(await policyText('dev-null')).toBe(before);
    await expect(readdir('/dev')).resolves.not.toContain('null.1');
  });

  it('--all-projects: a repository that cannot be planned is reported, the others are fixed, exit 3', async () => {
    const other = makeTestClients(server.endpoint, '975318642024');
    const otherCli = await createCliAccount(other, { userName: 'all-projects-cli' });
    const otherRole = await createRole(other, 'all-build', { path: '/service-role/' });
    const borrowed = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: { AWS: 'arn:aws:iam::975318642024:role/intern' }, Action: 'ecr:DeleteRepository' };
    await scenario(other, 'all-bad', JSON.stringify({ Version: '2012-10-17', Statement: [borrowed] }), otherRole);
    await scenario(other, 'all-good', null, otherRole);
    const r = await run(['fix', '--all-projects', '--yes', '--quiet'], await freshHome(), otherCli.env);
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/^error: cannot plan the fix: the repository policy of all-bad .*statement "EcrDoctorCodeBuildPull" \(#0\) was not written by ecr-doctor \(it is a Deny\)/m);
    expect(r.stderr).toMatch(/^applied: create the repository policy of all-good /m);
    expect(JSON.parse((await policyText('all-good', other))!).Statement[0].Sid).toBe('EcrDoctorCodeBuildPull');
    expect(JSON.parse((await policyText('all-bad', other))!)).toEqual({ Version: '2012-10-17', Statement: [borrowed] });
  });
});

describe('fix at a terminal: Ctrl-C', () => {
  it('Ctrl-C at the prompt exits 130 and writes nothing', async () => {
    await scenario(clients, 'ctrl-c', JSON.stringify({ Version: '2012-10-17', Statement: [unrelated] }), roleArn);
    const before = await policyText('ctrl-c');
    const command = [process.execPath, CLI_BIN, 'fix', '--project', 'ctrl-c'].map((s) => `'${s.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: work, env: cleanEnv({ ...cli.env, AWS_REGION: 'us-east-1', HOME: await freshHome() }), stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`no exit within 30 s; output so far:\n${output}`));
      }, 30_000);
      let sent = false;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (!sent && output.includes('[y/N]')) {
          sent = true;
          child.stdin.write('\x03');
        }
      });
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(code, output).toBe(130);
    expect(output).toContain('interrupted; nothing written');
    expect(await policyText('ctrl-c')).toBe(before);
  });
});
