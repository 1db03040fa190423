import type { Report } from '../model/result.js';
import { escapeControl } from '../model/safe-text.js';
import type { Paint } from './paint.js';
import { PLAIN } from './paint.js';
import { isAtScale, renderTextAtScale } from './text-at-scale.js';
import { formatSummary, renderDetails, renderProblems, renderVerdict } from './text-parts.js';

export { firstSentence, formatSummary, locationText } from './text-parts.js';

export interface TextOptions {
  paint?: Paint;
  /** Show passing results and evidence in full. */
  verbose?: boolean;
  /** --quiet: only the problems (fail, warn, error), no header or summary; nothing when all is well. */
  problemsOnly?: boolean;
  /**
   * Verdict markers ✗ ✓ ! ? (a terminal with colour) rather than the ASCII X OK ! ? -.
   * Plain output (NO_COLOR, a pipe, a CI log, a file) stays ASCII: it is read in places whose
   * character set we cannot know (legacy Windows code pages, log viewers). The markers differ
   * from the detail labels (FAIL, PASS, ...) so that counting `FAIL` lines still counts results.
   */
  unicode?: boolean;
}

/**
 * The human report: one verdict per pull, then results grouped by what they are about, problems
 * spelled out, passes one line each. A report over more than a handful of pulls (or several
 * accounts and regions) leads with what fixes what instead (text-at-scale.ts).
 */
export function renderText(report: Report, options: TextOptions = {}): string {
  const p = options.paint ?? PLAIN;
  const verbose = options.verbose ?? false;
  if (isAtScale(report)) return renderTextAtScale(report, { paint: p, verbose, problemsOnly: !!options.problemsOnly, unicode: !!options.unicode });
  if (options.problemsOnly) return renderProblems(report.results, p, verbose);
  const out: string[] = [];
  const described = typeof report.target.description === 'string' ? escapeControl(report.target.description) : undefined;
  out.push(p.bold(`ecr-doctor ${report.tool.version}`) + (described ? ` ${p.dim('·')} ${described}` : ''));
  for (const v of report.verdicts ?? []) out.push(...renderVerdict(v, p, options.unicode ?? false));
  if (report.results.length === 0) out.push('', 'Nothing to check.');
  out.push(...renderDetails(report.results, p, verbose));
  out.push('', formatSummary(report, p));
  return `${out.join('\n')}\n`;
}
