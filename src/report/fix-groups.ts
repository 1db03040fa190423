import type { FixHint, Result } from '../model/result.js';
import type { FixGroup, GroupScope, ProblemStatus } from '../model/fix-group.js';
import { commandForGroup } from './group-command.js';
import { firstSentence } from './text-parts.js';

export type { FixGroup, GroupScope, ProblemStatus } from '../model/fix-group.js';

/** Results of the runner's own reads of an account × region: the report lists them apart, as scopes that could not be read. */
export const SCOPE_READ_CHECK = 'scope-read';

const RANK: Record<ProblemStatus, number> = { fail: 0, error: 1, warn: 2 };

const isProblem = (r: Result): r is Result & { status: ProblemStatus } => r.status === 'fail' || r.status === 'error' || r.status === 'warn';

/**
 * A statement's effect without what varies from project to project (its Resource and its
 * aws:SourceArn condition): "Allow Service:codebuild.amazonaws.com ecr:BatchGetImage,...". Role
 * principals are one kind ("AWS"), since fix writes one statement listing every role.
 */
function statementShape(statement: unknown): string | undefined {
  const list = Array.isArray(statement) ? statement : statement && typeof statement === 'object' ? [statement] : [];
  const shapes = list.map((s: unknown) => {
    if (!s || typeof s !== 'object') return '?';
    const st = s as Record<string, unknown>;
    const principal = st.Principal;
    const who = principal && typeof principal === 'object'
      ? Object.entries(principal as Record<string, unknown>).map(([kind, v]) => (kind === 'Service' ? `Service:${[v].flat().map(String).sort().join(',')}` : kind)).sort().join('+')
      : principal === undefined ? '' : String(principal);
    const actions = [st.Action ?? st.NotAction].flat().map(String).sort().join(',');
    return `${String(st.Effect)} ${who} ${actions}`.trim();
  });
  return shapes.length ? shapes.join(' | ') : undefined;
}

/** What a result's change is, beyond where it goes: the statement it would add, else its description. */
function changeKind(fix: FixHint): string {
  return statementShape(fix.statement) ?? fix.description;
}

function keyOf(r: Result): string {
  const where = [r.account ?? '', r.region ?? ''];
  if (!r.fix) return JSON.stringify(['cause', r.check, firstSentence(r.message), ...where]);
  // A change to each project itself (its pull mode, privileged mode) is the same change on every
  // project, not one change: those group by the change, each project keeping its own resource.
  const resource = onEachSubject(r) ? '' : (r.fix.resource ?? '');
  return JSON.stringify(['fix', r.check, r.fix.target, r.fix.account ?? '', resource, changeKind(r.fix), ...where]);
}

/** The fix changes the result's own subject (a project setting of that project). */
function onEachSubject(r: Result): boolean {
  const resource = r.fix?.resource;
  return !!resource && (r.subject === resource || r.subject.startsWith(`${resource} `));
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const distinct = (values: Iterable<string>) => [...new Set(values)].sort(byText);

function worst(results: readonly (Result & { status: ProblemStatus })[]): ProblemStatus {
  return results.reduce<ProblemStatus>((w, r) => (RANK[r.status] < RANK[w] ? r.status : w), 'warn');
}

/** The group's name, for the text report and the tie-breaking order: what must change, else the cause. */
export function groupName(g: Pick<FixGroup, 'fix' | 'cause'>): string {
  return g.fix?.resource ?? g.cause;
}

function buildGroup(members: (Result & { status: ProblemStatus })[], scope: GroupScope): FixGroup {
  // Members in subject order, so that "the first" is the same whatever order the checks ran in.
  const sorted = [...members].sort((a, b) => byText(a.subject, b.subject) || byText(a.message, b.message));
  const first = sorted[0]!;
  const causes = distinct(sorted.map((r) => firstSentence(r.message)));
  const subjects = distinct(sorted.map((r) => r.subject));
  const group: FixGroup = {
    status: worst(sorted),
    check: first.check,
    count: subjects.length,
    subjects,
    cause: firstSentence(first.message),
    ...(causes.length > 1 ? { causesDiffer: true } : {}),
    ...(first.account ? { account: first.account } : {}),
    ...(first.region ? { region: first.region } : {}),
  };
  if (first.fix) {
    const descriptions = distinct(sorted.map((r) => r.fix?.description ?? ''));
    const each = onEachSubject(first);
    group.fix = {
      target: first.fix.target,
      ...(first.fix.account ? { account: first.fix.account } : {}),
      ...(first.fix.resource && !each ? { resource: first.fix.resource } : {}),
      ...(each ? { eachSubject: true as const } : {}),
      descriptions,
    };
    const command = commandForGroup(group, sorted.map((r) => r.fix?.command), scope);
    if (command.command) group.fix.command = command.command;
    if (command.note) group.fix.commandNote = command.note;
  }
  return group;
}

/**
 * The problems of a run (fail, error, warn), grouped by the change that fixes them: the same
 * check, the same kind of change (target, account, resource, the statement's effect) in the same
 * account and region. Results without a fix hint group by check and cause (the message's first
 * sentence). Most subjects first, then fail > error > warn, then by name: the same input in any
 * order gives the same groups. Pure; `scope` (the report's target) only shapes the commands.
 */
export function groupResultsByFix(results: readonly Result[], scope: GroupScope = {}): FixGroup[] {
  const groups = new Map<string, (Result & { status: ProblemStatus })[]>();
  for (const r of results) {
    if (!isProblem(r) || r.check === SCOPE_READ_CHECK) continue;
    const key = keyOf(r);
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return [...groups]
    .map(([key, members]) => ({ key, group: buildGroup(members, scope) }))
    .sort(({ key: ka, group: a }, { key: kb, group: b }) => b.count - a.count || RANK[a.status] - RANK[b.status] || byText(groupName(a), groupName(b)) || byText(ka, kb))
    .map(({ group }) => group);
}

/** The scope a report's target names: where a run without per-result accounts looked, and the role for other accounts. */
export function scopeOfTarget(target: Record<string, unknown>): GroupScope {
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const account = text(target.account);
  const region = text(target.region);
  const assumeRole = text(target.assumeRole);
  return { ...(account ? { account } : {}), ...(region ? { region } : {}), ...(assumeRole ? { assumeRole } : {}) };
}
