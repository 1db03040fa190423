import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The built CLI: tests spawn what users run (bin → dist), never src through a loader.
 * ECR_DOCTOR_TEST_CLI_BIN points the tests at another build (e.g. a packed tarball's bin).
 */
export const CLI_BIN = process.env['ECR_DOCTOR_TEST_CLI_BIN'] ?? fileURLToPath(new URL('../../bin/ecr-doctor.js', import.meta.url));
const DIST_ENTRY = process.env['ECR_DOCTOR_TEST_CLI_BIN'] ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunCliOptions {
  /** Added to the child's environment (after the defaults below, so it wins). */
  env?: Record<string, string>;
  cwd?: string;
  /** Written to stdin, which is then closed (stdin is a pipe, never a TTY). */
  input?: string;
  /** Kills the child after this long (default 30 s) and rejects. */
  timeoutMs?: number;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Variables of the parent that would change what the child does: every AWS_* (credentials,
 * profile, region, endpoint of the developer's shell must never reach a test), the CodeBuild
 * marker the doctor looks for with no target, and colour forcing.
 */
function isolatedParentEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined) continue;
    if (k.startsWith('AWS_') || k.startsWith('CODEBUILD_') || k === 'FORCE_COLOR' || k === 'CI') continue;
    env[k] = v;
  }
  return env;
}

/**
 * Spawns `node bin/ecr-doctor.js ...args` with NO_COLOR=1, AWS_REGION=us-east-1 and no AWS
 * setting inherited from the parent. The shared config/credentials files point at a path that
 * does not exist so a developer's ~/.aws never leaks in, and IMDS is off so a missing credential
 * fails fast instead of probing 169.254.169.254.
 */
const TEST_HOME = mkdtempSync(join(tmpdir(), 'ecr-doctor-home-'));

export function runCli(args: readonly string[], opts: RunCliOptions = {}): Promise<CliRun> {
  if (!existsSync(DIST_ENTRY)) {
    return Promise.reject(new Error(`runCli: ${DIST_ENTRY} is missing; build first with: node scripts/build.mjs`));
  }
  const env: Record<string, string> = {
    ...isolatedParentEnv(),
    NO_COLOR: '1',
    AWS_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/ecr-doctor-test/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/ecr-doctor-test/aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    // fix keeps backups under ~/.ecr-doctor: a test never writes into the real home.
    HOME: TEST_HOME,
    ...opts.env,
  };
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: opts.cwd ?? REPO_ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`runCli: ecr-doctor ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {
      // The CLI may exit before reading stdin (EPIPE): that is its right.
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the CLI and parses stdout as JSON; throws with both streams when it is not JSON. */
export async function runCliJson<T = unknown>(args: readonly string[], opts: RunCliOptions = {}): Promise<CliRun & { json: T }> {
  const run = await runCli(args, opts);
  try {
    return { ...run, json: JSON.parse(run.stdout) as T };
  } catch {
    throw new Error(`runCliJson: stdout of ecr-doctor ${args.join(' ')} is not JSON (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  }
}

/** The `--format json` report (DESIGN.md §3), as the tests read it. */
export interface JsonResult {
  check: string;
  status: 'pass' | 'fail' | 'warn' | 'skip' | 'error';
  severity: 'error' | 'warning' | 'info';
  subject: string;
  message: string;
  evidence?: Record<string, unknown>;
  fix?: { target: string; account?: string; resource?: string; description: string; command?: string; statement?: unknown };
}

export interface JsonReport {
  schemaVersion: number;
  tool: { name: string; version: string };
  target: Record<string, unknown>;
  summary: Record<JsonResult['status'], number>;
  results: JsonResult[];
}

/** The results that fail the run (fail or error), the way the exit code counts them. */
export function failingResults(report: JsonReport): JsonResult[] {
  return report.results.filter((r) => r.status === 'fail' || r.status === 'error');
}

/** Sorted, de-duplicated ids of the failing checks. */
export function failingCheckIds(report: JsonReport): string[] {
  return [...new Set(failingResults(report).map((r) => r.check))].sort();
}

/**
 * Runs at most `n` of the wrapped functions at once. Each spawned CLI costs ~0.3 s of CPU to
 * load, and moto is one process: on 2 cores more than two at a time only adds waiting.
 */
export function makeLimiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}
