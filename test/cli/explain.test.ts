// `ecr-doctor explain` as a user runs it: the built bin, its stdout and its exit code (issue 14).
import { describe, expect, it } from 'vitest';
import { describeStderr, runCli } from './spawn.js';

const DENIAL =
  "CannotPullContainerError: pull access denied for 123456789012.dkr.ecr.us-east-1.amazonaws.com/app, repository does not exist or may require 'docker login': denied: AWS CodeBuild is not authorized to perform ecr:BatchGetImage";
const IN_BUILD_LOG = [
  '[Container] 2024/05/01 10:00:00.000 Entering phase BUILD',
  '[Container] 2024/05/01 10:00:00.100 Running command docker build -t app .',
  'Step 1/4 : FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:2',
  'Get "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/base/manifests/2": no basic auth credentials',
  '[Container] 2024/05/01 10:00:01.000 Phase complete: BUILD State: FAILED',
].join('\n');

describe('ecr-doctor explain', () => {

  it('--format json prints the classification and exits 0 when recognised', async () => {
    const run = await runCli(['explain', '--format', 'json', DENIAL]);
    expect(run.code).toBe(0);
    const c = JSON.parse(run.stdout) as { cause: string; details: { image?: string }; nextStep: string };
    expect(c.cause).toBe('codebuild-not-trusted');
    expect(c.details.image).toBe('123456789012.dkr.ecr.us-east-1.amazonaws.com/app');
    expect(run.stderr).toBe('');
  });

  it('keeps --json as a deprecated alias that prints the same JSON, with a note on stderr', async () => {
    const [alias, format] = await Promise.all([runCli(['explain', '--json', DENIAL]), runCli(['explain', '-f', 'json', DENIAL])]);
    expect(alias.code).toBe(0);
    expect(alias.stdout).toBe(format.stdout);
    expect(alias.stderr).toContain('--json is deprecated; use --format json');
    const quiet = await runCli(['explain', '--json', '--quiet', DENIAL]);
    expect(quiet.stderr).toBe('');
    expect(JSON.parse(quiet.stdout)).toMatchObject({ cause: 'codebuild-not-trusted' });
  });

  it('refuses --json with --format text as a usage error', async () => {
    const run = await runCli(['explain', '--json', '--format', 'text', DENIAL]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const err = describeStderr(run.stderr);
    expect(err.errorLines).toEqual(['error: --json and --format text disagree']);
    expect(run.stderr).toContain('hint: use --format json');
    expect(err.hasStack).toBe(false);
  });

  it('rejects an unknown format with exit 2', async () => {
    const run = await runCli(['explain', '--format', 'sarif', DENIAL]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: option '-f, --format <format>' argument 'sarif' is invalid");
  });

  it('reads a whole build log from stdin and names the image of the failed pull', async () => {
    const run = await runCli(['explain', '--format', 'json'], { input: IN_BUILD_LOG });
    expect(run.code).toBe(0);
    const c = JSON.parse(run.stdout) as { cause: string; details: { image?: string; inBuild?: boolean } };
    expect(c).toMatchObject({ cause: 'registry-login-missing', details: { image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:2', inBuild: true } });
  });

  it('prints text by default, and only the cause and next step with --quiet before or after the command', async () => {
    const full = await runCli(['explain'], { input: IN_BUILD_LOG });
    expect(full.code).toBe(0);
    expect(full.stdout).toContain('Cause: No docker login to that registry before the pull (registry-login-missing)');
    expect(full.stdout).toContain('pull started at: Step 1/4 : FROM 123456789012.dkr.ecr.eu-west-1.amazonaws.com/base:2');
    for (const args of [['--quiet', 'explain'], ['explain', '-q']]) {
      const quiet = await runCli(args, { input: IN_BUILD_LOG });
      expect(quiet.code).toBe(0);
      expect(quiet.stdout.trimEnd().split('\n')).toEqual([
        'Cause: No docker login to that registry before the pull (registry-login-missing)',
        expect.stringMatching(/^Next: Log in to that registry before the pull: aws ecr get-login-password/),
      ]);
    }
  });

  it('takes --verbose and --no-color before the command too', async () => {
    const run = await runCli(['--verbose', '--no-color', 'explain'], { input: IN_BUILD_LOG, env: { FORCE_COLOR: '1' } });
    expect(run.code).toBe(0);
    // eslint-disable-next-line no-control-regex
    expect(run.stdout).not.toMatch(/\u001b\[/);
    expect(run.stderr).toContain('explain: read 5 line(s)');
    expect(run.stderr).toContain('explain: the failed pull started at: Step 1/4 : FROM');
  });

  it('exits 1 for text it does not recognise', async () => {
    const run = await runCli(['explain', '--format', 'json', 'npm ERR! missing script: test']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ cause: 'unknown' });
  });

  it('exits 2 with one error line when there is nothing to explain', async () => {
    for (const [args, input] of [[['explain'], ''], [['explain', '   '], '  \n\n']] as const) {
      const run = await runCli(args, { input });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(describeStderr(run.stderr).errorLines).toEqual(['error: nothing to explain: pass the error text as an argument or on stdin']);
      expect(run.stderr).toContain('hint: ');
    }
  });

  it('says in the text when a line was cut', async () => {
    const run = await runCli(['explain'], { input: `no basic auth credentials ${'x'.repeat(20_000)}` });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Note: 1 line was longer than 8192 characters; only the first 8192 of it were read.');
  });
});
