import type { FixHint, Report, Result, ScopeOutcome } from '../model/result.js';
import { escapeControl } from '../model/safe-text.js';
import type { FixGroup } from './fix-groups.js';
import { groupResultsByFix, SCOPE_READ_CHECK, scopeOfTarget } from './fix-groups.js';
import { whereText } from './group-command.js';
import type { Paint } from './paint.js';
import { formatSummary, MARKER_ASCII, MARKER_UNICODE, paintStatus, renderDetails, renderProblems, renderVerdict } from './text-parts.js';
import { IMAGE_PULL_CHECKS } from './verdict.js';

/**
 * Past this many pulls a verdict per pull buries the answer: 312 projects failing for one reason
 * are one line, not 312 blocks (issue 15). Reports at or under it keep the per-pull layout.
 */
export const AT_SCALE_PULLS = 5;

export interface AtScaleOptions {
  paint: Paint;
  verbose: boolean;
  problemsOnly: boolean;
  unicode: boolean;
}

/** A report over several accounts or regions, or over more than AT_SCALE_PULLS pulls. */
export function isAtScale(report: Report): boolean {
  if (report.scopes && report.scopes.length > 0) return true;
  return (report.verdicts ?? []).filter((v) => v.pull).length > AT_SCALE_PULLS;
}

const PLURALS: Record<string, string> = { project: 'projects', pull: 'pulls', repository: 'repositories' };
const counted = (n: number, noun: string) => `${n} ${n === 1 ? noun : (PLURALS[noun] ?? `${noun}s`)}`;

const projectArnOf = (subject: string) => (/^arn:[\w-]+:codebuild:[^:]*:\d*:project\/[^\s]+$/.test(subject) ? subject : undefined);

function nounFor(subjects: readonly string[]): string {
  if (subjects.every((s) => projectArnOf(s))) return 'project';
  if (subjects.every((s) => /^arn:[\w-]+:ecr:[^:]*:\d+:repository\//.test(s))) return 'repository';
  return 'pull';
}

/** The short name of a subject: a project's name rather than its ARN. */
function shortName(subject: string): string {
  return projectArnOf(subject)?.replace(/^.*:project\//, '') ?? subject;
}

/** "repository seed-app (account 111122223333, us-east-1)" for the resource a change goes in. */
function resourceText(g: FixGroup): string | undefined {
  const resource = g.fix?.resource;
  if (!resource) return undefined;
  const arn = /^arn:[\w-]+:([\w-]+):([^:]*):(\d*):(.+)$/.exec(resource);
  if (!arn) return resource;
  const [, service, region, account, rest] = arn;
  const named = service === 'ecr' && rest!.startsWith('repository/') ? `repository ${rest!.slice('repository/'.length)}`
    : service === 'iam' && rest!.startsWith('role/') ? `role ${rest!.replace(/^.*\//, '')}`
      : service === 'codebuild' && rest!.startsWith('project/') ? `project ${rest!.slice('project/'.length)}`
        : resource;
  const where = whereText(g.fix?.account ?? (account || undefined), region || g.region);
  return where ? `${named} (${where})` : named;
}

const CHANGE: Record<FixHint['target'], string> = {
  'repository-policy': 'repository policy statement',
  'role-policy': 'role policy change',
  'project-setting': 'project setting',
  image: 'image change',
  other: 'change',
};

const MODE: Record<string, string> = { 'codebuild-principal-can-pull': ' in CODEBUILD mode', 'service-role-can-pull': ' in SERVICE_ROLE mode' };

function renderGroup(g: FixGroup, p: Paint, unicode: boolean): string[] {
  const marker = paintStatus(g.status, (unicode ? MARKER_UNICODE : MARKER_ASCII)[g.status], p);
  const noun = nounFor(g.subjects);
  const what = resourceText(g);
  const ownAccount = g.fix?.account ?? (what ? undefined : g.account);
  // The projects of another account than the resource's (a cross-account pull) say whose they are.
  const whose = what && g.account && g.account !== ownAccount ? ` of account ${g.account}` : '';
  const where = !what ? whereText(g.account, g.region) : '';
  const many = `${counted(g.count, noun)}${whose}${where ? ` (${where})` : ''}`;
  const verb = g.status === 'error' ? (/^could not check/i.test(g.cause) ? '' : ' could not be checked') : g.status === 'fail' && IMAGE_PULL_CHECKS.has(g.check) ? ` cannot pull${MODE[g.check] ?? ''}` : '';
  const cause = g.causesDiffer ? `e.g. ${shortName(g.subjects[0]!)}: ${g.cause}` : g.cause;
  const head = what ? `${what}: ${many}${verb}: ${cause}` : `${many}${verb}: ${cause}`;
  const lines = [`${marker} ${escapeControl(head)}`];
  const fix = g.fix;
  if (fix?.command) {
    const all = g.count === 1 ? 'it' : g.count === 2 ? 'both' : `all ${g.count}`;
    lines.push(`  ${p.cyan('Fix:')} ${escapeControl(`one ${CHANGE[fix.target]} fixes ${all}: ${fix.command}`)}`);
  } else if (fix?.eachSubject && g.count > 1) {
    lines.push(`  ${p.cyan('Fix:')} ${escapeControl(`the same ${CHANGE[fix.target]} on each of the ${g.count}: ${fix.descriptions[0] ?? ''}`)}`);
  } else if (fix) {
    const more = fix.descriptions.length > 1 ? ` (${fix.descriptions.length - 1} more worded for other ${PLURALS[noun] ?? noun}; run with --verbose)` : '';
    lines.push(`  ${p.cyan('Fix:')} ${escapeControl(`${fix.descriptions[0] ?? ''}${more}`)}`);
  }
  if (fix?.commandNote) lines.push(`  ${p.dim(`(${escapeControl(fix.commandNote)})`)}`);
  return lines;
}

/** The scopes (account × region) that could not be read: the runner's scopes, and scope-read results it did not list there. */
function unreadScopes(report: Report): { where: string; message: string; hint?: string }[] {
  const scopes: ScopeOutcome[] = (report.scopes ?? []).filter((s) => s.status === 'error');
  const listed = new Set(scopes.map((s) => `${s.account ?? ''}|${s.region ?? ''}`));
  // A scope without a region failed for every region of its account (its role could not be assumed).
  const out = scopes.map((s) => ({ where: whereText(s.account, s.region ?? 'every region') || 'an account', message: s.message ?? 'could not be read', ...(s.hint ? { hint: s.hint } : {}) }));
  const results: Result[] = report.results.filter((r) => r.check === SCOPE_READ_CHECK && r.status !== 'pass' && !listed.has(`${r.account ?? ''}|${r.region ?? ''}`));
  for (const r of results) out.push({ where: whereText(r.account, r.region) || r.subject, message: r.message, ...(r.fix ? { hint: r.fix.description } : {}) });
  return out;
}

function scopeCount(report: Report): string {
  const scopes = report.scopes ?? [];
  if (scopes.length === 0) return '';
  const accounts = new Set(scopes.map((s) => s.account ?? '?')).size;
  const regions = new Set(scopes.flatMap((s) => (s.region ? [s.region] : []))).size;
  return ` in ${counted(accounts, 'account')} × ${counted(regions, 'region')}`;
}

function tally(report: Report): { line: string; pass: number; noun: string } {
  const pulls = (report.verdicts ?? []).filter((v) => v.pull);
  const noun = pulls.every((v) => v.pull?.kind === 'project') ? 'project' : 'pull';
  const n = (s: string) => pulls.filter((v) => v.status === s).length;
  // A pass can carry warnings about the build around the pull (a lifecycle rule): they are in the groups above.
  const warned = pulls.filter((v) => v.status === 'pass' && v.moreProblems > 0).length;
  const passed = `pass${warned ? ` (${warned} with warnings)` : ''}`;
  const parts = [[n('fail'), 'failing'], [n('error'), 'could not be checked'], [n('warn'), 'with warnings'], [n('skip'), 'not checked'], [n('pass'), passed]]
    .filter(([k]) => (k as number) > 0).map(([k, w]) => `${k as number} ${w as string}`);
  return { line: `${counted(pulls.length, noun)}${scopeCount(report)}${parts.length ? `: ${parts.join(', ')}` : ''}.`, pass: n('pass'), noun };
}

/**
 * The report at scale: how many pulls and where, then the problems grouped by the change that
 * fixes them (most projects first), then the accounts × regions that could not be read; each
 * pull's verdict and details only with --verbose. --quiet keeps the groups and unread scopes.
 */
export function renderTextAtScale(report: Report, o: AtScaleOptions): string {
  const { paint: p, unicode } = o;
  const groups = groupResultsByFix(report.results, scopeOfTarget(report.target));
  const unread = unreadScopes(report);
  const out: string[] = [];
  if (groups.length) {
    if (!o.problemsOnly) out.push('', p.bold(`What fixes what (${counted(groups.length, 'group')}, most first):`));
    for (const g of groups) out.push(...renderGroup(g, p, unicode));
  }
  if (unread.length) {
    const total = report.scopes?.length;
    out.push('', p.bold(`Could not be read (${unread.length}${total ? ` of ${total}` : ''} account × region):`));
    for (const s of unread) {
      out.push(`${paintStatus('error', (unicode ? MARKER_UNICODE : MARKER_ASCII).error, p)} ${escapeControl(`${s.where}: ${s.message}`)}`);
      if (s.hint) out.push(`  ${p.dim(`hint: ${escapeControl(s.hint)}`)}`);
    }
  }
  if (o.problemsOnly) {
    const body = out.join('\n').replace(/^\n/, '');
    const details = o.verbose ? renderProblems(report.results, p, true) : '';
    return `${body ? `${body}\n` : ''}${details ? `${body ? '\n' : ''}${details}` : ''}`;
  }
  const described = typeof report.target.description === 'string' ? escapeControl(report.target.description) : undefined;
  const { line, pass, noun } = tally(report);
  const head = [p.bold(`ecr-doctor ${report.tool.version}`) + (described ? ` ${p.dim('·')} ${described}` : ''), line];
  if (o.verbose) {
    out.push('', p.bold(`Each ${noun}:`));
    for (const v of report.verdicts ?? []) out.push(...renderVerdict(v, p, unicode));
    out.push(...renderDetails(report.results, p, true));
  } else if (pass > 0) {
    out.push('', `${counted(pass, noun)} ${pass === 1 ? 'passes' : 'pass'}; run with --verbose for each ${noun}.`);
  } else {
    out.push('', `Run with --verbose for each ${noun}.`);
  }
  out.push('', formatSummary(report, p));
  return `${[...head, ...out].join('\n')}\n`;
}
