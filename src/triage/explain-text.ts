import type { Paint } from '../report/paint.js';

export type { Paint };
import { PLAIN } from '../report/paint.js';
import { describeCause, type PullCause } from './causes.js';
import type { Classification } from './classify.js';


// The message cannot tell a missing repository from a denied one, or a missing tag from a
// pull-through import that was refused, so neither "yes" nor "no" would be honest.
const MAYBE_GRANT = new Set<PullCause>(['repository-missing-or-denied', 'image-not-found']);

function grantLine(c: Classification): string {
  if (c.isEcrGrantProblem) return 'yes';
  if (MAYBE_GRANT.has(c.cause)) return 'cannot tell from the message alone';
  return 'no';
}

function detailLines(c: Classification): string[] {
  const d = c.details;
  const parts: [string, string | undefined][] = [
    ['action', d.action],
    ['role', d.roleName],
    ['session', d.sessionName],
    ['image', d.image],
    ['repository', d.repository],
    ['explicit deny', d.explicitDeny === undefined ? undefined : d.explicitDeny ? 'yes' : 'no'],
    ['pulled in the build', d.inBuild ? 'yes (a buildspec command or a Dockerfile FROM, not the build image)' : undefined],
    ['pull started at', d.pullLine],
  ];
  return parts.filter((p): p is [string, string] => p[1] !== undefined).map(([k, v]) => `  ${k}: ${v}`);
}

/** The text of `ecr-doctor explain`: what the message means and what to run next. */
export function renderExplanation(c: Classification, opts: { color: boolean; paint?: Paint; quiet?: boolean }): string {
  const p = opts.color && opts.paint ? opts.paint : PLAIN;
  if (c.cause === 'unknown') return renderUnknown(c, p, opts.quiet === true);

  const title = describeCause(c.cause).title;
  const cause = `${p.bold('Cause:')} ${c.isEcrGrantProblem ? p.red(title) : p.yellow(title)} ${p.dim(`(${c.cause})`)}`;
  const next = `${p.bold('Next:')} ${p.green(c.nextStep)}`;
  if (opts.quiet) return `${cause}\n${next}\n`;
  const lines = [cause];
  lines.push(`${p.bold('ECR grant problem:')} ${grantLine(c)}`);
  if (c.evidence !== undefined) lines.push(`${p.bold('Evidence:')} "${c.evidence}"`);
  const details = detailLines(c);
  if (details.length > 0) lines.push(p.bold('Details:'), ...details);
  lines.push(`${p.bold('What it means:')} ${c.summary}`);
  lines.push(next);
  const note = truncationNote(c, p);
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}

function truncationNote(c: Classification, p: Paint): string | undefined {
  if (!c.truncated) return undefined;
  const { lines, maxLineChars } = c.truncated;
  return p.dim(`Note: ${lines} line${lines === 1 ? ' was' : 's were'} longer than ${maxLineChars} characters; only the first ${maxLineChars} of ${lines === 1 ? 'it' : 'each'} were read.`);
}

function renderUnknown(c: Classification, p: Paint, quiet: boolean): string {
  const head = `${p.bold('Not recognised:')} ecr-doctor does not recognise this message.`;
  const run = `${p.bold('Run instead:')} ${p.green(c.nextStep)}`;
  if (quiet) return `${head}\n${run}\n`;
  const lines = [head];
  // For unknown text the summary carries the hint (umbrella only, or an unrecognised reason).
  if (c.evidence !== undefined) lines.push(`${p.bold('Seen:')} "${c.evidence}". ${c.summary}`);
  lines.push(run);
  lines.push(p.dim('doctor reads the failed build and checks the image, the pull mode and the grants directly, whatever the message said.'));
  const note = truncationNote(c, p);
  if (note) lines.push(note);
  return `${lines.join('\n')}\n`;
}
