import type { Report, Result, Status } from '../model/result.js';
import { escapeControl } from '../model/safe-text.js';
import type { Verdict } from '../model/verdict.js';
import type { Paint } from './paint.js';
import { PLAIN } from './paint.js';

// The wording of the text report's lines, shared by the per-project layout (text.ts) and the
// layout at scale (text-at-scale.ts).

const LABEL: Record<Status, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP', error: 'ERROR' };

export function label(status: Status, p: Paint): string {
  const text = LABEL[status].padEnd(5);
  return paintStatus(status, text, p);
}

export const MARKER_UNICODE: Record<Status, string> = { fail: '✗', error: '?', warn: '!', skip: '-', pass: '✓' };
export const MARKER_ASCII: Record<Status, string> = { fail: 'X', error: '?', warn: '!', skip: '-', pass: 'OK' };

export function paintStatus(status: Status, text: string, p: Paint): string {
  if (status === 'pass') return p.green(text);
  if (status === 'fail' || status === 'error') return p.red(p.bold(text));
  return status === 'warn' ? p.yellow(text) : p.dim(text);
}

/** The first sentence of a result's message: its cause, without the background that follows. */
export function firstSentence(message: string): string {
  const m = /^(.+?\.)(?=\s+[A-Z]|$)/s.exec(message);
  return m?.[1] ?? message;
}

export const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The verdict wording, in one place (publint keeps its wording in one formatter). */
export function renderVerdict(v: Verdict, p: Paint, unicode: boolean): string[] {
  const marker = paintStatus(v.status, (unicode ? MARKER_UNICODE : MARKER_ASCII)[v.status], p);
  const cause = v.message ? firstSentence(v.message) : '';
  let head: string;
  if (v.pull && v.aboutPull === false) {
    // Decided by the build around the pull (docker, the buildspec): name the problem, not the image.
    head = `${v.pull.name}: ${cause}`;
  } else if (v.pull) {
    // A pull the buildspec makes runs with the service role's docker login, whatever the project's mode.
    const what = v.pull.kind === 'in-build' ? `${v.pull.image} in the build (${v.pull.via ?? 'docker'}, as the service role)` : `${v.pull.image} (${v.pull.mode} mode)`;
    switch (v.status) {
      case 'pass':
        head = `${v.pull.name} can pull ${what}.`;
        break;
      case 'fail':
        head = `${v.pull.name} cannot pull ${what}: ${cause}`;
        break;
      case 'error':
        head = `${v.pull.name}: could not tell whether it can pull ${what}: ${cause}`;
        break;
      default:
        head = `${v.pull.name}, pulling ${what}: ${cause}`;
    }
  } else {
    head = `${v.subject}: ${cause}`;
  }
  const lines = [`${marker} ${escapeControl(head)}`];
  if (v.fixCommand) lines.push(`  ${p.cyan('Fix:')} ${escapeControl(v.fixCommand)}`);
  else if (v.fixDescription) lines.push(`  ${p.cyan('Fix:')} ${escapeControl(v.fixDescription)}`);
  if (v.moreProblems > 0) lines.push(`  ${p.dim(`(${plural(v.moreProblems, 'more problem')} below)`)}`);
  return lines;
}

function explanation(r: Result): string[] {
  const lines = r.evidence?.explanation;
  return Array.isArray(lines) ? lines.filter((l): l is string => typeof l === 'string') : [];
}

export function renderResult(r: Result, p: Paint, verbose: boolean): string[] {
  // Subjects and messages quote names from AWS and files: a control character there (an ANSI
  // escape in a project name) is shown, never sent to the terminal.
  const lines = [`  ${label(r.status, p)} ${p.dim(r.check)}  ${escapeControl(r.message)}`];
  const detailed = verbose || r.status === 'fail' || r.status === 'warn' || r.status === 'error';
  if (!detailed) return lines;
  const where = locationText(r);
  if (where) lines.push(`        ${p.dim(`at ${escapeControl(where)}`)}`);
  for (const line of explanation(r)) lines.push(`        ${p.dim(`· ${escapeControl(line)}`)}`);
  if (r.fix && r.status !== 'pass') {
    lines.push(`        ${p.cyan('fix:')} ${escapeControl(r.fix.description)}`);
    if (r.fix.command) lines.push(`        ${p.cyan('run:')} ${escapeControl(r.fix.command)}`);
  }
  return lines;
}

/** Results by subject, subjects in order of first appearance, results in report order. */
export function groupBySubject(results: readonly Result[]): Map<string, Result[]> {
  const groups = new Map<string, Result[]>();
  for (const r of results) {
    const subject = escapeControl(r.subject);
    const list = groups.get(subject);
    if (list) list.push(r);
    else groups.set(subject, [r]);
  }
  return groups;
}

/** "main.tf:12 (aws_ecr_repository.build)" for a result about a resource defined in code (issue 13). */
export function locationText(r: Result): string | undefined {
  const location = r.evidence?.location;
  const file = typeof r.evidence?.file === 'string' ? r.evidence.file : undefined;
  const line = typeof r.evidence?.line === 'number' ? r.evidence.line : undefined;
  const address = typeof location === 'object' && location !== null && typeof (location as { address?: unknown }).address === 'string' ? (location as { address: string }).address : undefined;
  if (!file && !address) return undefined;
  const at = file ? `${file}${line ? `:${line}` : ''}` : undefined;
  return at && address ? `${at} (${address})` : (at ?? address);
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

/** The details: results by subject, problems spelled out, passes one line per subject (--verbose: each). */
export function renderDetails(results: readonly Result[], p: Paint, verbose: boolean): string[] {
  const out: string[] = [];
  for (const [subject, own] of groupBySubject(results)) {
    out.push('', p.bold(subject));
    const passes = own.filter((r) => r.status === 'pass');
    // Passes in one line per subject (their count and checks); --verbose spells each out.
    if (!verbose && passes.length > 0) out.push(`  ${label('pass', p)} ${plural(passes.length, 'check')}: ${p.dim(passes.map((r) => r.check).join(', '))}`);
    for (const r of own) if (verbose || r.status !== 'pass') out.push(...renderResult(r, p, verbose));
  }
  return out;
}

/** --quiet: each subject with a problem, once, above its problems; nothing when all is well. */
export function renderProblems(results: readonly Result[], p: Paint, verbose: boolean): string {
  const problems = results.filter((r) => r.status === 'fail' || r.status === 'warn' || r.status === 'error');
  return [...groupBySubject(problems)].map(([subject, own]) => `${subject}\n${own.flatMap((r) => renderResult(r, p, verbose)).join('\n')}\n`).join('');
}
