import { writeFile } from 'node:fs/promises';
import { UsageError } from '../model/errors.js';
import { describeFsError } from '../model/fs-error-words.js';
import { scrubSecrets, showPath } from '../model/safe-text.js';
import type { Paint } from '../report/paint.js';
import { PLAIN } from '../report/paint.js';

export interface ColorChoice {
  /** --no-color */
  flag: boolean;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
}

/**
 * Colour only for a person at a terminal: never when NO_COLOR is set, stdout is not a TTY or
 * CI is set (CI manners, issue 7), unless FORCE_COLOR asks for it.
 */
export function wantsColor({ flag, env, isTTY }: ColorChoice): boolean {
  if (!flag) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') return true;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.CI !== undefined && env.CI !== '' && env.CI !== 'false') return false;
  return isTTY;
}

/** chalk is loaded only when colour is wanted. */
export async function loadPaint(color: boolean): Promise<Paint> {
  if (!color) return PLAIN;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { bold: c.bold, dim: c.dim, red: c.red, green: c.green, yellow: c.yellow, cyan: c.cyan };
}

// Everything we print passes the secret scrubber: an endpoint may quote the session token in
// an error that ends up in a report, a log line or a JSON field (issue 12, item 5).
export function writeOut(text: string): void {
  process.stdout.write(scrubSecrets(text));
}

/**
 * writeOut for a stream of lines: when the reader is behind (a pipe to jq, a slow consumer) it
 * waits for it, so the lines of a long run do not pile up in memory (a pipe's writes are
 * asynchronous in Node). A reader gone away (EPIPE, main.ts) ends the wait too.
 */
export async function writeOutPaced(text: string, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (out.write(scrubSecrets(text))) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      for (const event of ['drain', 'error', 'close'] as const) out.off(event, done);
      resolve();
    };
    for (const event of ['drain', 'error', 'close'] as const) out.once(event, done);
  });
}

export function writeErr(text: string): void {
  const clean = scrubSecrets(text);
  process.stderr.write(clean.endsWith('\n') ? clean : `${clean}\n`);
}

export async function writeReportFile(file: string, text: string): Promise<void> {
  if (file === '') throw new UsageError('--output needs a file name, not an empty string', 'pass --output FILE, or leave --output out to print the report');
  try {
    await writeFile(file, scrubSecrets(text));
  } catch (e) {
    throw new UsageError(`cannot write ${showPath(file)}: ${describeFsError(e, 'write')}`, 'choose another --output path');
  }
}

/** Progress for a person watching; silent in CI, with --quiet, or when stderr is not a terminal. */
export function makeProgress(enabled: boolean): (line: string) => void {
  return enabled ? (line) => process.stderr.write(`${line}\n`) : () => {};
}
