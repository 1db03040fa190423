// Spawns the built CLI the way a user or a buildspec runs it (bin → dist), so the tests cover the
// bundle, the exit code and both output streams. Each run starts from an environment with nothing
// AWS-, CodeBuild- or colour-related inherited from the developer's shell.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The CLI under test. ECR_DOCTOR_TEST_BIN points the tests at another build of the same bin
 * (e.g. one made while bisecting a bundling problem); by default it is the repository's bin.
 */
export const CLI_BIN = process.env['ECR_DOCTOR_TEST_BIN'] ?? join(REPO_ROOT, 'bin', 'ecr-doctor.js');

export interface CliResult {
  /** The exit code; a signal (timeout kill) shows as -1. */
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Merged over the clean base environment; `undefined` removes a variable. */
  env?: Record<string, string | undefined>;
  /** Written to stdin, then closed. Without it stdin is an empty pipe (never a TTY). */
  input?: string;
  timeoutMs?: number;
}

const INHERITED_OUT = /^(AWS_|CODEBUILD_|FORCE_COLOR$|NO_COLOR$|CI$|NODE_OPTIONS$|VITEST|TERM$)/;

/**
 * The child's environment: PATH and friends from the parent, no AWS/CodeBuild/colour settings,
 * AWS config files that do not exist (a developer's ~/.aws never leaks in), IMDS off (a missing
 * credential fails at once), NO_COLOR=1 unless the caller overrides it.
 */
const TEST_HOME = mkdtempSync(join(tmpdir(), 'ecr-doctor-home-'));

export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !INHERITED_OUT.test(k)) env[k] = v;
  Object.assign(env, {
    NO_COLOR: '1',
    AWS_CONFIG_FILE: join(tmpdir(), 'ecr-doctor-test-no-such-dir', 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'ecr-doctor-test-no-such-dir', 'credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // fix keeps backups under ~/.ecr-doctor: a test never writes into the real home.
    HOME: TEST_HOME,
  });
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}

/** Runs `node bin/ecr-doctor.js ...args`; resolves with the exit code and both streams. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  if (!existsSync(CLI_BIN)) return Promise.reject(new Error(`${CLI_BIN} is missing; build first: node scripts/build.mjs`));
  const timeoutMs = options.timeoutMs ?? 15_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
    // The CLI may exit without reading stdin; an EPIPE then is not the test's business.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** One line `error: ...` (plus an optional `hint: ...`) and nothing that looks like a stack trace. */
export function describeStderr(stderr: string): { errorLines: string[]; hasStack: boolean } {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  return {
    errorLines: lines.filter((l) => l.startsWith('error: ')),
    hasStack: lines.some((l) => /^\s+at .+[:(]/.test(l)) || /\b(TypeError|ReferenceError|SyntaxError):/.test(stderr),
  };
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;

export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

export async function makeTempDir(prefix = 'ecr-doctor-test-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
