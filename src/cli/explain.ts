import { UsageError } from '../model/errors.js';
import { EXIT } from '../model/exit-code.js';
import { classifyPullMessage, type Classification } from '../triage/classify.js';
import { renderExplanation } from '../triage/explain-text.js';
import { scanLines } from '../triage/scan.js';
import { loadPaint, writeErr, writeOut } from './output.js';

export interface ExplainOptions {
  format: 'text' | 'json';
  /** The user typed --json (kept as an alias of --format json; a note says so). */
  deprecatedJson?: boolean;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** What --verbose adds on stderr: how much was read, and which pull the answer blames. */
function describeInput(text: string, c: Classification): string[] {
  const scan = scanLines(text);
  const lines = [`explain: read ${scan.totalLines} line(s), ${text.length} characters; ${scan.lines.length} held words the rules look for; ${scan.pulls.length} pull(s) seen`];
  if (c.truncated) lines.push(`explain: ${c.truncated.lines} line(s) longer than ${c.truncated.maxLineChars} characters were cut to their first ${c.truncated.maxLineChars}`);
  if (c.details.pullLine) lines.push(`explain: the failed pull started at: ${c.details.pullLine}`);
  return lines;
}

/** `ecr-doctor explain [TEXT]`: exit 0 when the text is recognised, 1 when it is not, 2 when there is none. */
export async function runExplain(argument: string, o: ExplainOptions): Promise<number> {
  const text = argument.trim() || (await readStdin()).trim();
  if (!text) throw new UsageError('nothing to explain: pass the error text as an argument or on stdin', 'ecr-doctor explain "$(cat build.log)"   or   ecr-doctor explain < build.log');
  if (o.deprecatedJson && !o.quiet) writeErr('note: --json is deprecated; use --format json');
  const classification = classifyPullMessage(text);
  if (o.verbose) for (const line of describeInput(text, classification)) writeErr(line);
  if (o.format === 'json') {
    writeOut(`${JSON.stringify(classification, null, 2)}\n`);
  } else {
    const paint = await loadPaint(o.color);
    writeOut(renderExplanation(classification, { color: o.color, paint, quiet: o.quiet }));
  }
  return classification.cause === 'unknown' ? EXIT.failed : EXIT.ok;
}
