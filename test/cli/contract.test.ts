// The command-line contract (DESIGN.md §3, issue 2 "bad input", issue 7 CI manners), spawned:
// exit codes, one-line errors without stack traces, and what goes to stdout vs stderr.
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStderr, makeTempDir, REPO_ROOT, runCli, type CliResult, type TempDir } from './spawn.js';

const SEED = join(REPO_ROOT, 'fixtures', 'snapshots', 'seed-codebuild-mode.json');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-contract-');
});
afterAll(async () => {
  await tmp?.remove();
});

function expectUsageError(run: CliResult, pattern: RegExp): void {
  const { errorLines, hasStack } = describeStderr(run.stderr);
  expect(run.code, run.stderr).toBe(2);
  expect(errorLines, run.stderr).toHaveLength(1);
  expect(errorLines[0]).toMatch(pattern);
  expect(hasStack, run.stderr).toBe(false);
  expect(run.stdout).toBe('');
}

describe.concurrent('help and version', () => {
  it('--help exits 0 and prints usage, commands and exit codes on stdout', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: ecr-doctor /);
    for (const cmd of ['doctor', 'fix', 'snapshot', 'explain', 'permissions']) expect(run.stdout).toMatch(new RegExp(`^\\s+${cmd}\\b`, 'm'));
    expect(run.stdout).toMatch(/Exit codes: 0 .*1 .*2 .*3 /);
  });

  it('--version and -V print the package version, exit 0', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag]);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(VERSION);
    }
  });

  it('doctor --help lists the report options', async () => {
    const run = await runCli(['doctor', '--help']);
    expect(run.code).toBe(0);
    for (const opt of ['--format', '--output', '--fail-on', '--snapshot', '--last-failed', '--quiet']) expect(run.stdout).toContain(opt);
  });
});

describe.concurrent('usage errors: exit 2, one error line, no stack trace', () => {
  it.each([
    [['--bogus'], /^error: unknown option '--bogus'/],
    [['doctor', '--bogus'], /^error: unknown option '--bogus'/],
    [['frobnicate'], /^error: unknown command 'frobnicate'/],
    [['doctor', '--format', 'xml', '--snapshot', SEED], /^error: .*--format.*'xml' is invalid.*text, json, junit, sarif/],
    [['doctor', '--fail-on', 'info', '--snapshot', SEED], /^error: .*--fail-on.*'info' is invalid.*error, warning/],
    [['doctor', '--project', 'x!y'], /^error: invalid project name "x!y"/],
    [['doctor', '--project', '-'], /^error: invalid project name "-"/],
    [['doctor', '--project', 'a'.repeat(256)], /^error: invalid project name/],
    [['fix', '--project', 'bad name', '--dry-run'], /^error: invalid project name "bad name"/],
    [['doctor', '--image', 'Foo/Bar:baz'], /^error: invalid image reference "Foo\/Bar:baz"/],
    [['doctor', '--build', 'not-a-build-id'], /^error: invalid build id "not-a-build-id"/],
    [['doctor', '--project', 'ok-name', '--region', 'Mars'], /^error: invalid region "Mars"/],
    [['doctor', '--project', 'ok-name', '--endpoint-url', 'ftp://x'], /^error: invalid endpoint URL/],
    [['doctor', '--snapshot', SEED, '--project', 'ok-name'], /^error: --snapshot replays a recorded run/],
    [['doctor', '--last-failed', '--image', 'aws/codebuild/standard:7.0'], /^error: --last-failed needs --project/],
  ] as const)('%j', async (args, pattern) => {
    expectUsageError(await runCli(args, { cwd: tmp.path }), pattern);
  });

  it('nothing to examine outside any EB folder and outside CodeBuild', async () => {
    const run = await runCli(['doctor'], { cwd: tmp.path });
    expectUsageError(run, /^error: nothing to examine: /);
    expect(run.stderr).toMatch(/CODEBUILD_BUILD_ARN is not set/);
    expect(run.stderr).toMatch(/^hint: try: ecr-doctor doctor --project NAME/m);
  });

  it('a malformed CODEBUILD_BUILD_ARN is a usage error, not a guess', async () => {
    const run = await runCli(['doctor'], { cwd: tmp.path, env: { CODEBUILD_BUILD_ARN: 'not-an-arn' } });
    expectUsageError(run, /^error: CODEBUILD_BUILD_ARN is set but is not a build ARN/);
  });

  it('fix without --yes and without a terminal refuses to write (exit 2, with a hint)', async () => {
    const run = await runCli(['fix', '--project', 'seed-app-build'], { cwd: tmp.path });
    expectUsageError(run, /^error: fix writes to AWS and there is no terminal to ask/);
    expect(run.stderr).toMatch(/^hint: .*--dry-run.*--yes/m);
  });
});

describe.concurrent('could not finish: exit 3, one error line', () => {
  it.each([
    ['no credentials', { AWS_REGION: 'us-east-1' }, [], /^error: no usable AWS credentials/],
    ['no region', { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }, [], /^error: the AWS region is not known/],
    ['endpoint refuses', { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }, ['--endpoint-url', 'http://127.0.0.1:1'], /^error: cannot reach AWS: .*ECONNREFUSED/],
  ] as const)('%s', async (_name, env, extra, pattern) => {
    const run = await runCli(['doctor', '--project', 'some-project', ...extra], { cwd: tmp.path, env });
    const { errorLines, hasStack } = describeStderr(run.stderr);
    expect(run.code, run.stderr).toBe(3);
    expect(errorLines).toEqual([expect.stringMatching(pattern)]);
    expect(run.stderr).toMatch(/^hint: /m);
    expect(hasStack).toBe(false);
    expect(run.stdout).toBe('');
  });
});

describe.concurrent('snapshot files that are not snapshots', () => {
  const seedText = readFileSync(SEED, 'utf8');
  const cases: [string, string, RegExp][] = [
    ['empty', '', /is not valid JSON \(the file is empty\)/],
    ['malformed', '{ "schemaVersion": 1, region: us-east-1 }', /is not valid JSON at line 1, column \d+/],
    ['truncated', seedText.slice(0, Math.floor(seedText.length / 2)), /is not valid JSON at line \d+, column \d+/],
    ['array', '[1, 2]', /is not an ecr-doctor snapshot: \$ must be an object/],
    ['wrong-shape', JSON.stringify({ ...JSON.parse(seedText), projects: 'seed-app-build' }), /is not an ecr-doctor snapshot: \$\.projects/],
    ['wrong-version', JSON.stringify({ ...JSON.parse(seedText), schemaVersion: 2 }), /is not an ecr-doctor snapshot: \$\.schemaVersion must be 1/],
  ];
  it.each(cases)('%s → exit 2 with a one-line error', async (name, text, pattern) => {
    const file = join(tmp.path, `${name}.json`);
    await writeFile(file, text);
    const run = await runCli(['doctor', '--snapshot', file], { cwd: tmp.path });
    expectUsageError(run, /^error: snapshot .*\.json /);
    expect(run.stderr).toMatch(pattern);
  });

  it('a missing snapshot file', async () => {
    expectUsageError(await runCli(['doctor', '--snapshot', join(tmp.path, 'nope.json')]), /^error: cannot read snapshot .*nope\.json: no such file/);
  });
});

describe('doctor --snapshot on the seed case', () => {
  it('exits 1 and names the failing check in plain text', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED]);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\s+FAIL\s+codebuild-principal-can-pull\s+codebuild\.amazonaws\.com may not pull from seed-app/m);
    expect(run.stdout).toMatch(/^Summary: 7 passed, 1 failed, 1 warning, 0 skipped, 0 errors$/m);
    expect(run.stdout).toContain('run: ecr-doctor fix --project seed-app-build --dry-run');
    expect(run.stderr).toBe('');
  });

  it('fix --snapshot plans without writing: the merged policy on stdout, exit 0', async () => {
    const run = await runCli(['fix', '--snapshot', SEED]);
    expect(run.code, run.stderr).toBe(0);
    const policy = JSON.parse(run.stdout) as { Statement: Array<{ Sid?: string }> };
    expect(policy.Statement.map((s) => s.Sid)).toEqual(['AllowCiPush', expect.any(String)]);
    expect(JSON.stringify(policy.Statement[1])).toContain('arn:aws:codebuild:us-east-1:123456789012:project/seed-app-build');
  });
});
