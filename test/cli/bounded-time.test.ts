// Bounded time, honest messages and no secret, against a fault-injecting proxy in front of moto
// (test/support/fault-proxy.ts) and credential_process helpers that sleep or fail. Each run must
// end (runCli kills at its own timeout and reports -1), with exit 3 naming what did not answer.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startFaultProxy, type FaultPolicy, type FaultProxy } from '../support/fault-proxy.js';
import { describeStderr, makeTempDir, runCli, type CliResult, type TempDir } from './spawn.js';

const moto = inject('motoEndpoint');
const TOKEN = 'FAKESESSIONTOKENVALUE0123456789abcdefFAKE';
const SECRET = 'fakeSecretAccessKeyValue0123456789abcdef';
const KEY_ID = 'ASIAFAKEKEYID0123456';
const KEYS = { AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SESSION_TOKEN: TOKEN, AWS_REGION: 'us-east-1' };

let tmp: TempDir;
let config: string;
const proxies: FaultProxy[] = [];

async function proxy(policy: FaultPolicy): Promise<FaultProxy> {
  const p = await startFaultProxy(moto, policy);
  proxies.push(p);
  return p;
}

function expectClean(run: CliResult): void {
  for (const text of [run.stdout, run.stderr]) {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(KEY_ID);
  }
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(240);
  expect(describeStderr(run.stderr).hasStack, run.stderr).toBe(false);
}

function expectStopped(run: CliResult, code: number, pattern: RegExp): void {
  expect(run.code, run.stderr).not.toBe(-1);
  expect(run.code, run.stderr).toBe(code);
  expect(describeStderr(run.stderr).errorLines, run.stderr).toEqual([expect.stringMatching(pattern)]);
  expectClean(run);
}

beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-bounded-');
  const creds = JSON.stringify({ Version: 1, AccessKeyId: KEY_ID, SecretAccessKey: SECRET, SessionToken: TOKEN });
  await writeFile(join(tmp.path, 'creds.json'), creds);
  config = join(tmp.path, 'config');
  const closed = 'http://127.0.0.1:9';
  await writeFile(
    config,
    [
      '[profile sleepy]',
      'region = us-east-1',
      'credential_process = sleep 30',
      '[profile failing]',
      'region = us-east-1',
      'credential_process = sh -c "exit 3"',
      '[profile badjson]',
      'region = us-east-1',
      'credential_process = echo not-json',
      '[profile badregion]',
      'region = mars-1',
      `credential_process = cat ${join(tmp.path, 'creds.json')}`,
      '[profile viaprofile]',
      'region = us-east-1',
      'endpoint_url = PROFILE_ENDPOINT',
      `credential_process = cat ${join(tmp.path, 'creds.json')}`,
      '[profile viaservices]',
      'region = us-east-1',
      'endpoint_url = ' + closed,
      'services = local',
      `credential_process = cat ${join(tmp.path, 'creds.json')}`,
      '[services local]',
      'sts =',
      '  endpoint_url = SERVICES_ENDPOINT',
      'codebuild =',
      '  endpoint_url = SERVICES_ENDPOINT',
      'ecr =',
      '  endpoint_url = SERVICES_ENDPOINT',
      'iam =',
      '  endpoint_url = SERVICES_ENDPOINT',
      '[profile closed]',
      'region = us-east-1',
      'endpoint_url = ' + closed,
      `credential_process = cat ${join(tmp.path, 'creds.json')}`,
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close()));
  await tmp?.remove();
});

async function withConfig(replacements: Record<string, string>): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  let text = await readFile(config, 'utf8');
  for (const [k, v] of Object.entries(replacements)) text = text.split(k).join(v);
  const file = join(tmp.path, `config-${Object.values(replacements).join('').replace(/\W/g, '')}`);
  await writeFile(file, text);
  return file;
}

const doctor = (endpoint: string, extra: string[] = []) => ['doctor', '--project', 'no-such-project', '--endpoint-url', endpoint, '--timeout', '2', ...extra];

describe('--timeout bounds the run', () => {
  it('an endpoint that accepts every call and never answers: exit 3 naming a call', async () => {
    const p = await proxy(() => 'hang');
    const run = await runCli(doctor(p.endpoint), { env: KEYS, timeoutMs: 10_000 });
    expectStopped(run, 3, /^error: (sts|codebuild|ecr|iam):\w+ did not answer within 2 s$/);
    expect(run.stderr).toMatch(/--timeout/);
  });

  it('an endpoint that answers STS and CodeBuild but not ECR: the ECR call is named', async () => {
    const p = await proxy((call) => (call.startsWith('ecr:') ? 'hang' : 'pass'));
    // The project must exist and name an ECR image for ECR to be read: use --image instead.
    const run = await runCli(['doctor', '--image', '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1', '--endpoint-url', p.endpoint, '--timeout', '2'], { env: KEYS, timeoutMs: 10_000 });
    expectStopped(run, 3, /^error: ecr:\w+ did not answer within 2 s$/);
  });

  it('an endpoint that answers slowly, within the deadline: the run finishes normally', async () => {
    const p = await proxy(() => ({ delayMs: 200 }));
    const run = await runCli(doctor(p.endpoint, ['--timeout', '8']), { env: KEYS, timeoutMs: 15_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('no-such-project');
    expectClean(run);
  });

  it('throttling on the first 3 calls of each operation is retried through (standard retries, 4 attempts)', async () => {
    const p = await proxy((_call, nth) => (nth < 3 ? 'throttle' : 'pass'));
    const run = await runCli(doctor(p.endpoint, ['--timeout', '30']), { env: KEYS, timeoutMs: 40_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(p.calls.filter((c) => c === 'sts:GetCallerIdentity')).toHaveLength(4);
    expectClean(run);
  }, 45_000);

  it('a credential_process that never finishes is bounded by the deadline too', async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--profile', 'sleepy', '--endpoint-url', moto, '--timeout', '2'], { env: { AWS_CONFIG_FILE: config }, timeoutMs: 10_000 });
    expectStopped(run, 3, /^error: the AWS credential chain .* did not answer within 2 s$/);
  });

  it('--timeout must be a number of seconds', async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--timeout', 'soon']);
    expectStopped(run, 2, /^error: invalid --timeout "soon": expected a number of seconds/);
  });
});

describe('messages say what is wrong', () => {
  it('a credential_process that exits non-zero is not a missing profile', async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--profile', 'failing'], { env: { AWS_CONFIG_FILE: config } });
    expectStopped(run, 3, /^error: no usable AWS credentials from profile "failing": the credential_process exited with an error$/);
  });

  it('a credential_process that prints something other than JSON', async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--profile', 'badjson'], { env: { AWS_CONFIG_FILE: config } });
    expectStopped(run, 3, /the credential_process printed something that is not the JSON credentials document$/);
  });

  it('a profile that does not exist is named as not found (not "region unknown")', async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--profile', 'nosuch'], { env: { AWS_CONFIG_FILE: config } });
    expectStopped(run, 3, /profile "nosuch" was not found/);
  });

  it('an invalid AWS_REGION is named as invalid', async () => {
    const run = await runCli(['doctor', '--project', 'p1'], { env: { ...KEYS, AWS_REGION: 'us east' } });
    expectStopped(run, 2, /^error: invalid region "us east" \(from AWS_REGION\)/);
  });

  it("an invalid region in the profile is named as invalid", async () => {
    const run = await runCli(['doctor', '--project', 'p1', '--profile', 'badregion'], { env: { AWS_CONFIG_FILE: config } });
    expectStopped(run, 2, /^error: invalid region "mars-1" \(from the AWS profile "badregion"/);
  });

  it('AWS_ENDPOINT_URL=::garbage:: is an invalid endpoint URL, exit 2', async () => {
    const run = await runCli(['doctor', '--project', 'p1'], { env: { ...KEYS, AWS_ENDPOINT_URL: '::garbage::' } });
    expectStopped(run, 2, /^error: invalid endpoint URL "::garbage::" \(from AWS_ENDPOINT_URL\)/);
  });

  it('an endpoint that quotes the session token back: no credential value in any format or --verbose', async () => {
    // STS answers (from moto), every other call is refused with a message quoting the token.
    const p = await proxy((call) => (call.startsWith('sts:') ? 'pass' : 'echo-token'));
    for (const format of ['text', 'json', 'sarif', 'junit']) {
      const run = await runCli([...doctor(p.endpoint), '--format', format, '--verbose'], { env: KEYS, timeoutMs: 10_000 });
      expect(run.code, run.stderr).not.toBe(-1);
      expect(run.stderr + run.stdout).toMatch(/redacted/);
      expectClean(run);
    }
  });
});

describe('AWS conventions: configured endpoints and the SDK warning', () => {
  it('endpoint_url in the profile named by --profile is honoured', async () => {
    const p = await proxy(() => 'pass');
    const file = await withConfig({ PROFILE_ENDPOINT: p.endpoint });
    const run = await runCli(['doctor', '--project', 'no-such-project', '--profile', 'viaprofile'], { env: { AWS_CONFIG_FILE: file } });
    expect(run.code, run.stderr).toBe(1);
    expect(p.calls).toContain('sts:GetCallerIdentity');
    expectClean(run);
  });

  it("the profile's services section wins over its endpoint_url", async () => {
    const p = await proxy(() => 'pass');
    const file = await withConfig({ SERVICES_ENDPOINT: p.endpoint });
    const run = await runCli(['doctor', '--project', 'no-such-project'], { env: { AWS_CONFIG_FILE: file, AWS_PROFILE: 'viaservices' } });
    expect(run.code, run.stderr).toBe(1);
    expect(p.calls).toEqual(expect.arrayContaining(['sts:GetCallerIdentity', 'codebuild:BatchGetProjects']));
  });

  it('AWS_ENDPOINT_URL_<SERVICE> is honoured per service', async () => {
    const p = await proxy(() => 'pass');
    const run = await runCli(['doctor', '--project', 'no-such-project'], {
      env: { ...KEYS, AWS_ENDPOINT_URL: moto, AWS_ENDPOINT_URL_CODEBUILD: p.endpoint },
    });
    expect(run.code, run.stderr).toBe(1);
    // Only CodeBuild's calls came here (BatchGetProjects, and ListProjects for a did-you-mean).
    expect(p.calls).toContain('codebuild:BatchGetProjects');
    expect(p.calls.filter((c) => !c.startsWith('codebuild:'))).toEqual([]);
  });

  it('--endpoint-url wins over the profile', async () => {
    const run = await runCli(['doctor', '--project', 'no-such-project', '--profile', 'closed', '--endpoint-url', moto], { env: { AWS_CONFIG_FILE: config } });
    expect(run.code, run.stderr).toBe(1);
    expectClean(run);
  });

  it('a profile and environment keys together: one line of ours with --verbose, not the SDK\'s nine', async () => {
    const p = await proxy(() => 'pass');
    const file = await withConfig({ PROFILE_ENDPOINT: p.endpoint });
    const quiet = await runCli(['doctor', '--project', 'no-such-project'], { env: { ...KEYS, AWS_CONFIG_FILE: file, AWS_PROFILE: 'viaprofile' } });
    expect(quiet.code, quiet.stderr).toBe(1);
    expect(quiet.stderr).toBe('');
    const run = await runCli(['doctor', '--project', 'no-such-project', '--verbose'], { env: { ...KEYS, AWS_CONFIG_FILE: file, AWS_PROFILE: 'viaprofile' } });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/Multiple credential sources/);
    expect(run.stderr.split('\n').filter((l) => /both a profile/.test(l))).toHaveLength(1);
    expectClean(run);
  });
});
