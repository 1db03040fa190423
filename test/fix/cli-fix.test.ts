// `fix` through the built CLI against a private moto server: the safety rules a reviewer and a
// hands-on tester asked for (formats that only print, --scope that does not fit the target,
// backups, the interactive prompt and a policy changed while it is open). Build first:
// node scripts/build.mjs (the tests spawn dist/ through bin/).
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRepositoryPolicyCommand, SetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyEbFixture } from '../cli/eb-folder.js';
import { CLI_BIN, cleanEnv } from '../cli/spawn.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createCliAccount, type CliAccount } from '../support/cli-account.js';
import { runCli } from '../support/cli.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

// A private server, as in seed-scenario.test.ts: moto resolves a CLI access key by walking every
// account, which is slow on the shared server.
let server: MotoServer;
let clients: TestClients;
let cli: CliAccount;
let work: string;
let roleArn: string;
const account = '135792468024';

const unrelated = {
  Sid: 'CiPublisherPush',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${account}:role/ci-publisher` },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
};

/** A repository with an image and a CODEBUILD-mode project that cannot pull it yet. */
async function scenario(name: string, statements: object[] | null = [unrelated]): Promise<void> {
  await createRepository(clients, name, statements ? { Version: '2012-10-17', Statement: statements } : undefined);
  await putImage(clients, name, 'v1');
  await createProject(clients, { name, image: `${account}.dkr.ecr.us-east-1.amazonaws.com/${name}:v1`, serviceRoleArn: roleArn });
}

async function policyText(name: string): Promise<string | undefined> {
  try {
    return (await clients.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: name }))).policyText;
  } catch (e) {
    if ((e as Error).name === 'RepositoryPolicyNotFoundException') return undefined;
    throw e;
  }
}

async function freshHome(): Promise<string> {
  return mkdtemp(join(work, 'home-'));
}

function run(args: string[], home: string) {
  return runCli(args, { env: { ...cli.env, HOME: home }, cwd: work });
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Runs the CLI on a pseudo-terminal (util-linux `script`), so it asks as it does for a person;
 * `answer` is called once the [y/N] prompt shows and returns what to type.
 */
function runAtTerminal(args: string[], home: string, answer: () => Promise<string>): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI_BIN, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { cwd: work, env: cleanEnv({ ...cli.env, AWS_REGION: 'us-east-1', HOME: home }), stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let answered = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit within 30 s; output so far:\n${output}`));
    }, 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!answered && output.includes('[y/N]')) {
        answered = true;
        answer().then((text) => child.stdin.write(text), reject);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output: output.replace(/\r/g, '') });
    });
  });
}

beforeAll(async () => {
  server = await startMotoServer();
  work = await mkdtemp(join(tmpdir(), 'ecr-doctor-fix-cli-'));
  clients = makeTestClients(server.endpoint, account);
  cli = await createCliAccount(clients);
  roleArn = await createRole(clients, 'fix-cli-build', { path: '/service-role/' });
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.stop();
});

describe('fix --format for another tool never applies', () => {
  it('--format terraform without --dry-run prints, says nothing is written, and writes nothing', async () => {
    await scenario('fmt-tf');
    const before = await policyText('fmt-tf');
    const r = await run(['fix', '--project', 'fmt-tf', '--format', 'terraform'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('resource "aws_ecr_repository_policy" "fmt_tf"');
    expect(r.stderr).toContain('--format terraform prints the change for Terraform to apply; nothing is written');
    expect(await policyText('fmt-tf')).toBe(before);
  });

  it('--format cloudformation --yes is a usage error (exit 2), before any AWS call', async () => {
    const r = await runCli(['fix', '--project', 'anything', '--format', 'cloudformation', '--yes'], { cwd: work });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --format cloudformation prints the change for CloudFormation to apply; it cannot be combined with --yes$/m);
  });

  it('--format cloudformation says on stderr how to use the template for an existing repository', async () => {
    await scenario('fmt-cfn');
    const r = await run(['fix', '--project', 'fmt-cfn', '--format', 'cloudformation', '--dry-run'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).Description).toMatch(/resource import/);
    expect(r.stderr).toMatch(/import the repository into a stack with resource import.*or copy RepositoryPolicyText into the stack that already owns the repository/);
  });

  it('--dry-run says how to apply', async () => {
    await scenario('dry-hint');
    const r = await run(['fix', '--project', 'dry-hint', '--dry-run'], await freshHome());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^to apply: run again with --yes, or save the JSON above as policy\.json and run aws ecr set-repository-policy .*--repository-name dry-hint --policy-text file:\/\/policy\.json$/m);
  });
});

describe('fix --scope must fit the target', () => {
  it('--scope eb-app without the eb path is a usage error', async () => {
    const r = await run(['fix', '--project', 'fmt-tf', '--scope', 'eb-app', '--dry-run'], await freshHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --scope eb-app grants the temporary projects eb deploy creates, and there is no eb deploy path here$/m);
    expect(r.stderr).toMatch(/^hint: give --buildspec PATH/m);
  });

  it('--scope project with only the eb path is a usage error', async () => {
    const dir = await copyEbFixture('good', join(work, 'eb-app'), { account, image: `${account}.dkr.ecr.us-east-1.amazonaws.com/fmt-tf:v1`, role: 'fix-cli-build', region: 'us-east-1' });
    const r = await run(['fix', '--buildspec', join(dir, 'buildspec.yml'), '--scope', 'project', '--dry-run'], await freshHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: --scope project grants named projects, and eb deploy's temporary project gets a new name on every deploy$/m);
  });
});

describe('fix refuses a statement that only borrows its Sid', () => {
  it("a user's Deny named EcrDoctorCodeBuildPull: one-line error, exit 3, nothing written", async () => {
    const deny = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${account}:role/intern` }, Action: 'ecr:DeleteRepository' };
    await scenario('borrowed-sid', [unrelated, deny]);
    const before = await policyText('borrowed-sid');
    const r = await run(['fix', '--project', 'borrowed-sid', '--yes'], await freshHome());
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('error: cannot plan the fix: the repository policy of borrowed-sid');
    expect(r.stderr).toContain('statement "EcrDoctorCodeBuildPull" (#1) was not written by ecr-doctor (it is a Deny); rename or remove it, then run fix again');
    expect(r.stderr).not.toMatch(/this is a bug/);
    expect(await policyText('borrowed-sid')).toBe(before);
  });
});

describe('fix backups', () => {
  it('go to ~/.ecr-doctor/backups by default, never the current folder; "there was no policy before"', async () => {
    await scenario('no-policy', null);
    const home = await freshHome();
    const r = await run(['fix', '--project', 'no-policy', '--yes'], home);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const dir = join(home, '.ecr-doctor', 'backups');
    const [file, ...more] = await readdir(dir);
    expect(more).toEqual([]);
    expect(r.stderr).toContain(`there was no policy before (recorded in ${join(dir, file!)})`);
    expect(JSON.parse(await readFile(join(dir, file!), 'utf8'))).toMatchObject({ existed: false, policyText: null });
    await expect(readdir(join(work, '.ecr-doctor'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('--backup DIR (an existing folder) writes a generated file inside it', async () => {
    await scenario('into-dir');
    const before = await policyText('into-dir');
    const dir = join(work, 'my-backups');
    await mkdir(dir);
    const r = await run(['fix', '--project', 'into-dir', '--yes', '--backup', dir], await freshHome());
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const [file] = await readdir(dir);
    expect(file).toMatch(/^135792468024-us-east-1-into-dir-.*\.json$/);
    expect(r.stderr).toContain(`the previous policy is saved in ${join(dir, file!)}`);
    expect(JSON.parse(await readFile(join(dir, file!), 'utf8'))).toMatchObject({ existed: true, policyText: before });
  });

  it('a backup whose parent is a file stops before any write: one line in words, exit 2', async () => {
    await scenario('no-backup');
    const before = await policyText('no-backup');
    const blocker = join(work, 'a-file');
    await writeFile(blocker, 'not a folder');
    const r = await run(['fix', '--project', 'no-backup', '--yes', '--backup', join(blocker, 'sub', 'b.json')], await freshHome());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot write the backup to .*a-file\/sub\/b\.json: .*\/a-file is a file, not a folder$/m);
    expect(r.stderr).not.toMatch(/ENOTDIR|EEXIST|ENOENT/);
    expect(r.stderr).not.toMatch(/this is a bug|\n\s+at /);
    expect(await policyText('no-backup')).toBe(before);
  });
});

describe('fix at a terminal', () => {
  it('shows our statement and what it keeps; answering n writes nothing and exits 1', async () => {
    await scenario('ask-no');
    const before = await policyText('ask-no');
    const r = await runAtTerminal(['fix', '--project', 'ask-no'], await freshHome(), async () => 'n\n');
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('update the repository policy of ask-no');
    expect(r.output).toContain('  adds statement "EcrDoctorCodeBuildPull":');
    expect(r.output).toContain('  keeps 1 other statement unchanged');
    // The user's own statement is counted, not printed again.
    expect(r.output).not.toContain('CiPublisherPush');
    expect(r.output).toContain('nothing written');
    expect(await policyText('ask-no')).toBe(before);
  });

  it('a policy changed while the prompt was open is not written over: exit 3', async () => {
    await scenario('ask-race');
    const meanwhile = JSON.stringify({ Version: '2012-10-17', Statement: [unrelated, { ...unrelated, Sid: 'AddedMeanwhile', Action: 'ecr:BatchGetImage' }] });
    const r = await runAtTerminal(['fix', '--project', 'ask-race'], await freshHome(), async () => {
      await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'ask-race', policyText: meanwhile }));
      return 'y\n';
    });
    expect(r.code, r.output).toBe(3);
    expect(r.output).toMatch(/error: .*: the policy changed while you were reviewing; nothing was written; run fix again/);
    expect(JSON.parse((await policyText('ask-race'))!)).toEqual(JSON.parse(meanwhile));
  });
});
