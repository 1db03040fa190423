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
  pulls: PullSite[];
  /** Index of the first line that shows the buildspec's phases were running, if any. */
  firstInBuildLine?: number;
  totalLines: number;
  /** Lines longer than MAX_LINE_CHARS (only their first MAX_LINE_CHARS characters were read). */
  truncatedLines: number;
}

/**
 * The words every rule, the umbrella and the pull readers need (rules.ts, pull-lines.ts); a line
 * with none of them cannot change the answer, so it is skipped after one literal-alternation test.
 * A rule whose evidence needs a word not listed here would never fire: the corpus test, which
 * buries every text in unrelated log lines, catches that.
 */
const KEYWORDS = [
  // rules.ts
  'not authorized', 'denied', 'toomanyrequests', 'rate limit', 'too many requests', 'no space left',
  'invalid reference format', 'no basic auth', 'getauthorizationtoken', 'error while executing command',
  'incorrect username', 'secrets manager', 'getdownloadurlforlayer', 'perhaps you need to login', 'manifest',
  'requested image not found', 'imagenotfoundexception', 'does not exist', 'repositorynotfoundexception',
  'no pull access', 'cloudwatch logs', 'docker daemon', 'invalid choice', 'image operating system', 'exec format error',
  'platform', 'imagepullcredentialstype', 'is not supported for projects', 'x509',
  // umbrella
  'build_container_unable_to_pull_image', 'unable to pull', 'cannotpullcontainererror',
  // pull-lines.ts
  ' from ', 'load metadata for', 'docker ', 'entering phase', 'running command', 'get-login', 'usage: aws', 'pulling from',
];
const TRIGGER = new RegExp(KEYWORDS.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'i');

/** One pass over the input, line by line; no pattern ever sees more than one capped line. */
export function scanLines(input: string): Scan {
  const scan: Scan = { lines: [], pulls: [], totalLines: 0, truncatedLines: 0 };
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
      scan.lines.push({ index, text });
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
