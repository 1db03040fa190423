// The option contract, spawned: help texts that give defaults, common options before the
// subcommand, targets whose ARNs name a region, the --output extension choosing the format,
// and a reader that goes away (`| head -1`). Snapshot files only: no AWS involved.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseReport } from './json-report.js';
import { ANSI, CLI_BIN, cleanEnv, describeStderr, makeTempDir, REPO_ROOT, runCli, type CliResult, type TempDir } from './spawn.js';

const SEED = join(REPO_ROOT, 'fixtures', 'snapshots', 'seed-codebuild-mode.json');
const ARN_EU = 'arn:aws:codebuild:eu-west-1:123456789012:project/web-build';
const ARN_US = 'arn:aws:codebuild:us-west-2:123456789012:project/api-build';

let tmp: TempDir;
beforeAll(async () => {
  tmp = await makeTempDir('ecr-doctor-options-');
});
afterAll(async () => {
  await tmp?.remove();
});

/** Help text with commander's line wrapping undone. */
async function help(...args: string[]): Promise<string> {
  const run = await runCli([...args, '--help']);
  expect(run.code).toBe(0);
  return run.stdout.replace(/\s+/g, ' ');
}

function expectUsageError(run: CliResult, pattern: RegExp): void {
  const { errorLines, hasStack } = describeStderr(run.stderr);
  expect(run.code, run.stderr).toBe(2);
  expect(errorLines, run.stderr).toEqual([expect.stringMatching(pattern)]);
  expect(hasStack).toBe(false);
  expect(run.stdout).toBe('');
}

describe.concurrent('--help says the defaults', () => {
  it('doctor: --format, --fail-on, --build id format, --quiet', async () => {
    const text = await help('doctor');
    expect(text).toMatch(/--format <format> report format \(choices: "text", "json", "junit", "sarif", "jsonl", default: text, or from the --output name: \.xml junit, \.sarif sarif, \.json json, \.jsonl jsonl\)/);
    expect(text).toMatch(/--fail-on <level> .*\(choices: "error", "warning", default: "error"\)/);
    expect(text).toContain('--build <id> a build: <project>:<uuid> or a build ARN');
    expect(text).toContain('-q, --quiet only the problems (text) / no summary');
    for (const opt of ['--profile', '--region', '--endpoint-url', '--no-color']) expect(text).toMatch(new RegExp(`${opt} [^-]*\\(default: `));
  });

  it('fix: --scope default, --format default, and what happens without --yes', async () => {
    const text = await help('fix');
    expect(text).toContain('(default: project, or eb-app on the eb path)');
    expect(text).toMatch(/--format <format> .*default: "json"/);
    expect(text).toMatch(/-y, --yes apply without asking \(without it: ask at a terminal, exit 2 without one\)/);
    expect(text).toMatch(/no terminal \(CI, a pipe\) it writes nothing and exits 2/);
    expect(text).toMatch(/--backup <file> where to save the policy being replaced[^(]*\(default: [^)]*backups\/\)/);
  });

  it('the root lists the common options', async () => {
    const text = await help();
    for (const opt of ['--profile <name>', '--region <region>', '--endpoint-url <url>', '--no-color', '-q, --quiet', '-v, --verbose']) expect(text).toContain(opt);
  });
});

describe.concurrent('common options before the subcommand', () => {
  it('--region before doctor is read (and validated)', async () => {
    expectUsageError(await runCli(['--region', 'Mars', 'doctor', '--project', 'ok-name'], { cwd: tmp.path }), /^error: invalid region "Mars"/);
  });

  it('a value after the subcommand wins over one before it', async () => {
    expectUsageError(await runCli(['--region', 'us-east-1', 'doctor', '--region', 'Mars', '--project', 'ok-name'], { cwd: tmp.path }), /^error: invalid region "Mars"/);
  });

  it('--no-color and --quiet before doctor apply to its report', async () => {
    const run = await runCli(['--no-color', '--quiet', 'doctor', '--snapshot', SEED], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(run.code).toBe(1);
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stdout).toMatch(/^\S+project\/seed-app-build\n\s+FAIL\s+codebuild-principal-can-pull/);
    expect(run.stdout).not.toMatch(/Summary|PASS/);
  });

  it('--no-color after the subcommand still wins over FORCE_COLOR', async () => {
    const run = await runCli(['doctor', '--snapshot', SEED, '--no-color'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(run.stdout).not.toMatch(ANSI);
  });
});

describe.concurrent('a project or build ARN names its region', () => {
  it('--region that differs is a usage error naming both', async () => {
    const run = await runCli(['--region', 'us-east-1', 'doctor', '--project', ARN_EU], { cwd: tmp.path });
    expectUsageError(run, /^error: --region us-east-1 does not match the region of arn:aws:codebuild:eu-west-1:\d+:project\/web-build \(eu-west-1\)$/);
  });

  it('targets in different regions are a usage error', async () => {
    const run = await runCli(['doctor', '--project', ARN_EU, '--build', `${ARN_US.replace(':project/', ':build/')}:0e2d6b0a-1111-2222-3333-444455556666`], { cwd: tmp.path });
    expectUsageError(run, /^error: these targets are in different regions: run once per region \(/);
  });
});

describe.concurrent('the no-target hint fits the command', () => {
  it.each([
    ['doctor', [], /^hint: try: ecr-doctor doctor --project NAME/m],
    ['fix', ['--dry-run'], /^hint: try: ecr-doctor fix --project NAME --dry-run/m],
    ['snapshot', [], /^hint: try: ecr-doctor snapshot --project NAME/m],
  ] as const)('%s', async (command, extra, hint) => {
    const run = await runCli([command, ...extra], { cwd: tmp.path });
    expectUsageError(run, /^error: nothing to examine: /);
    expect(run.stderr).toMatch(hint);
  });
});

describe.concurrent('--output without --format: the file name chooses', () => {
  it.each([
    ['report.xml', 'junit', (s: string) => expect(s).toMatch(/^<\?xml [^>]*\?>\n<testsuites name="ecr-doctor" tests="9" failures="1"/)],
    ['report.sarif', 'sarif', (s: string) => expect(JSON.parse(s).version).toBe('2.1.0')],
    ['report.JSON', 'json', (s: string) => expect(parseReport(s).summary.fail).toBe(1)],
    ['report.txt', 'text', (s: string) => expect(s).toMatch(/^ecr-doctor \S+ /)],
  ] as const)('%s → %s', async (name, format, check) => {
    const file = join(tmp.path, name);
    const run = await runCli(['doctor', '--snapshot', SEED, '--output', file]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`(${format} report written to ${file})`);
    check(await readFile(file, 'utf8'));
  });

  it('an explicit --format wins over the name', async () => {
    const file = join(tmp.path, 'explicit.xml');
    const run = await runCli(['doctor', '--snapshot', SEED, '--format', 'json', '--output', file]);
    expect(run.stdout).toContain('(json report written to');
    expect(parseReport(await readFile(file, 'utf8')).summary.fail).toBe(1);
  });
});

/** Runs the CLI with its stdout closed before it writes, as `| head -0` would. */
function runWithClosedStdout(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], { cwd: REPO_ROOT, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
  });
}

describe.concurrent('a reader that goes away (EPIPE)', () => {
  it('--help | head: exits 0, nothing on stderr', async () => {
    expect(await runWithClosedStdout(['--help'])).toEqual({ code: 0, stderr: '' });
  });

  it.each([['text'], ['json']])('doctor --snapshot --format %s | head: quiet, with the exit code of the run', async (format) => {
    expect(await runWithClosedStdout(['doctor', '--snapshot', SEED, '--format', format])).toEqual({ code: 1, stderr: '' });
  });
});
