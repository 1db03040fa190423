import type { Report, Result, Status } from '../model/result.js';
import type { Paint } from './paint.js';
import { PLAIN } from './paint.js';

export interface TextOptions {
  paint?: Paint;
  /** Show passing results and evidence in full. */
  verbose?: boolean;
  /** --quiet: only the problems (fail, warn, error), no header or summary; nothing when all is well. */
  problemsOnly?: boolean;
}

const LABEL: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP', error: 'ERROR' };

function label(status: Status, p: Paint): string {
  const text = LABEL[status].padEnd(5);
  switch (status) {
    case 'pass':
      return p.green(text);
    case 'fail':
    case 'error':
      return p.red(p.bold(text));
    case 'warn':
      return p.yellow(text);
    case 'skip':
      return p.dim(text);
  }
}

function explanation(r: Result): string[] {
  const lines = r.evidence?.explanation;
  return Array.isArray(lines) ? lines.filter((l): l is string => typeof l === 'string') : [];
}

function renderResult(r: Result, p: Paint, verbose: boolean): string[] {
  const lines = [`  ${label(r.status, p)} ${p.dim(r.check)}  ${r.message}`];
  const detailed = verbose || r.status === 'fail' || r.status === 'warn' || r.status === 'error';
  if (!detailed) return lines;
  for (const line of explanation(r)) lines.push(`        ${p.dim(`· ${line}`)}`);
  if (r.fix && r.status !== 'pass') {
    lines.push(`        ${p.cyan('fix:')} ${r.fix.description}`);
    if (r.fix.command) lines.push(`        ${p.cyan('run:')} ${r.fix.command}`);
  }
  return lines;
}

export function formatSummary(report: Report, p: Paint = PLAIN): string {
  const s = report.summary;
  const parts = [
    p.green(`${s.pass} passed`),
    (s.fail ? p.red : p.dim)(`${s.fail} failed`),
    (s.warn ? p.yellow : p.dim)(`${s.warn} warning${s.warn === 1 ? '' : 's'}`),
    p.dim(`${s.skip} skipped`),
    (s.error ? p.red : p.dim)(`${s.error} error${s.error === 1 ? '' : 's'}`),
  ];
  return `${p.bold('Summary:')} ${parts.join(', ')}`;
}

/** The human report: results grouped by what they are about, problems spelled out, passes one line each. */
export function renderText(report: Report, options: TextOptions = {}): string {
  const p = options.paint ?? PLAIN;
  const verbose = options.verbose ?? false;
  if (options.problemsOnly) {
    const problems = report.results.filter((r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error');
    return [...groupBySubject(problems)].map(([subject, results]) => `${subject}\n${results.flatMap((r) => renderResult(r, p, verbose)).join('\n')}\n`).join('');
  }
  const out: string[] = [];
  const described = typeof report.target.description === 'string' ? report.target.description : undefined;
  out.push(p.bold(`ecr-doctor ${report.tool.version}`) + (described ? ` ${p.dim('·')} ${described}` : ''));
  if (report.results.length === 0) out.push('', 'Nothing to check.');
  for (const [subject, results] of groupBySubject(report.results)) {
    out.push('', p.bold(subject));
    for (const r of results) out.push(...renderResult(r, p, verbose));
  }
  out.push('', formatSummary(report, p));
  return `${out.join('\n')}\n`;
}

/** Results by subject, subjects in order of first appearance, results in report order. */
function groupBySubject(results: readonly Result[]): Map<string, Result[]> {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const list = groups.get(r.subject);
    if (list) list.push(r);
    else groups.set(r.subject, [r]);
  }
  return groups;
}
