import { isInBuildMarker, readPullLine, type PullSite } from './pull-lines.js';

/**
 * How much of one line is read. Real CodeBuild and Docker error lines are well under 2 KB; a cap
 * keeps every pattern's work per line bounded, so the whole scan stays linear in the input size
 * (issue 12: a 1 MB single-line paste used to take tens of seconds).
 */
export const MAX_LINE_CHARS = 8192;

export interface ScannedLine {
  /** Index of the line in the input (0-based). */
  index: number;
  /** The line, cut to MAX_LINE_CHARS, without its line break. */
  text: string;
}

export interface Scan {
  /** Lines that hold a word some rule, the umbrella or a pull reader looks for, in input order. */
  lines: ScannedLine[];
  /** The subset of `lines` that hold a word some rule or the umbrella looks for: the rules read only these. */
  errorLines: ScannedLine[];
  pulls: PullSite[];
  /** Index of the first line that shows the buildspec's phases were running, if any. */
  firstInBuildLine?: number;
  totalLines: number;
  /** Lines longer than MAX_LINE_CHARS (only their first MAX_LINE_CHARS characters were read). */
  truncatedLines: number;
}

/**
 * The words every rule and the umbrella need (rules.ts); a line with none of them cannot decide
 * the cause. A rule whose evidence needs a word not listed here would never fire: the corpus test,
 * which buries every text in unrelated log lines, catches that.
 */
const ERROR_KEYWORDS = [
  'not authorized', 'denied', 'toomanyrequests', 'rate limit', 'too many requests', 'no space left',
  'invalid reference format', 'no basic auth', 'getauthorizationtoken', 'error while executing command',
  'incorrect username', 'secrets manager', 'getdownloadurlforlayer', 'perhaps you need to login', 'manifest',
  'requested image not found', 'imagenotfoundexception', 'does not exist', 'repositorynotfoundexception',
  'no pull access', 'cloudwatch logs', 'docker daemon', 'invalid choice', 'usage: aws', 'image operating system',
  'exec format error', 'platform', 'imagepullcredentialstype', 'is not supported for projects', 'x509',
  // umbrella
  'build_container_unable_to_pull_image', 'unable to pull', 'cannotpullcontainererror',
];
// What pull-lines.ts and the `after` condition of a rule need, beyond the words above. Common in
// logs (" from ", "docker "), so these lines are read for pulls but never by the rules.
const CONTEXT_KEYWORDS = [' from ', 'load metadata for', 'docker ', 'entering phase', 'running command', 'get-login', 'pulling from', 'resolve source metadata'];

const alternation = (words: string[]) => new RegExp(words.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');
const TRIGGER = alternation([...ERROR_KEYWORDS, ...CONTEXT_KEYWORDS]);
const ERROR_TRIGGER = alternation(ERROR_KEYWORDS);

/** One pass over the input, line by line; no pattern ever sees more than one capped line. */
export function scanLines(input: string): Scan {
  const scan: Scan = { lines: [], errorLines: [], pulls: [], totalLines: 0, truncatedLines: 0 };
  let start = 0;
  let index = 0;
  while (start <= input.length) {
    let end = input.indexOf('\n', start);
    if (end === -1) end = input.length;
    const long = end - start > MAX_LINE_CHARS;
    if (long) scan.truncatedLines++;
    let text = input.slice(start, long ? start + MAX_LINE_CHARS : end);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (TRIGGER.test(text)) {
      const line = { index, text };
      scan.lines.push(line);
      if (ERROR_TRIGGER.test(text)) scan.errorLines.push(line);
      const pull = readPullLine(text, index);
      if (pull) scan.pulls.push(pull);
      if (scan.firstInBuildLine === undefined && isInBuildMarker(text)) scan.firstInBuildLine = index;
    }
    index++;
    start = end + 1;
  }
  scan.totalLines = index;
  return scan;
}

/** The pull nearest before (or on) a line: the one that line's error belongs to. */
export function pullBefore(scan: Scan, line: number): PullSite | undefined {
  let found: PullSite | undefined;
  for (const pull of scan.pulls) {
    if (pull.line > line) break;
    found = pull;
  }
  return found;
}
