/**
 * Text that came from argv, files, the environment or AWS, made safe to print: control
 * characters escaped (an ANSI escape in a project name must not reach the terminal, a newline
 * must not split an error), long values shortened with their length, and the credential values
 * of this run never shown. Pure, apart from the process-wide list of secrets to scrub.
 */

/** Longest value echoed whole inside a message; longer ones keep their start and say their length. */
export const ECHO_LIMIT = 64;
/** Longest message line we print (a terminal line or two). */
export const LINE_LIMIT = 240;

const NAMED_ESCAPES: Record<string, string> = { '\0': '\\0', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\x1b' };

// C0 controls, DEL, C1 controls, and the Unicode line/paragraph separators and bidi overrides
// (terminals and editors act on those too).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeOne(c: string): string {
  const named = NAMED_ESCAPES[c];
  if (named !== undefined) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Control characters as visible escapes: ESC as `\x1b`, NUL as `\0`, a newline as `\n`. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** True when the text holds a character escapeControl would rewrite. */
export function hasControl(text: string): boolean {
  CONTROL.lastIndex = 0;
  const found = CONTROL.test(text);
  CONTROL.lastIndex = 0;
  return found;
}

/** A value for a message: `"my-project"`, or `"aaaa…" (102400 characters)` when it is long. */
export function quote(value: string, limit = ECHO_LIMIT): string {
  const escaped = escapeControl(value);
  if (escaped.length <= limit) return `"${escaped}"`;
  return `"${escaped.slice(0, limit)}…" (${value.length} characters)`;
}

/**
 * One printable line from a message that may quote anything: secrets scrubbed, controls
 * escaped, any single run of more than 100 non-space characters cut to its start and length,
 * and the whole capped at LINE_LIMIT. The backstop for messages built far from the CLI.
 */
export function safeLine(text: string, limit = LINE_LIMIT): string {
  const escaped = escapeControl(scrubSecrets(text));
  const runs = escaped.replace(/\S{101,}/g, (run) => `${run.slice(0, ECHO_LIMIT)}… (${run.length} characters)`);
  return runs.length <= limit ? runs : `${runs.slice(0, limit - 1)}…`;
}

const secrets = new Set<string>();

/**
 * Values that must never be printed: the access key id, secret key and session token this run
 * uses. Short values are ignored: scrubbing "a" would garble every message.
 */
export function registerSecret(value: string | undefined): void {
  if (typeof value === 'string' && value.length >= 8) secrets.add(value);
}

/** Forget the registered secrets (tests). */
export function clearSecrets(): void {
  secrets.clear();
}

/** The text with every registered secret, and anything shaped like an AWS access key id, replaced. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('<redacted>');
  return out.replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}/g, '<access key>');
}

/** A path for a message: as typed when it is plain, else quoted, escaped and shortened like any value. */
export function showPath(path: string): string {
  return /^[\w./@:+~,=-]{1,120}$/.test(path) ? path : quote(path);
}
