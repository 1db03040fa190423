import { createHash } from 'node:crypto';
import { runChecks } from '../checks/index.js';
import type { Facts } from '../model/facts.js';
import { UsageError } from '../model/errors.js';
import { decideExitCode } from '../model/exit-code.js';
import type { Report, Result, ScopeOutcome } from '../model/result.js';
import { summarise } from '../model/result.js';
import type { Target } from '../model/target.js';
import type { Verdict } from '../model/verdict.js';
import { verdictsOf, withFixGroups } from '../report/build-report.js';
import { renderReport } from '../report/index.js';
import { jsonlResult, jsonlRun, jsonlScope, jsonlSummary, jsonlVerdict } from '../report/jsonl.js';
import { formatSummary } from '../report/text.js';
import { deriveVerdicts } from '../report/verdict.js';
import type { ScopeRead, ScopeRequest } from '../sources/live/scopes.js';
import { CredentialsError } from '../sources/live/aws-errors.js';
import { VERSION } from '../version.js';
import { chooseAws, explainCredentialsFailure } from './aws-choice.js';
import type { DoctorOptions } from './doctor.js';
import { loadPaint, writeErr, writeOut, writeOutPaced, writeReportFile } from './output.js';
import { withRunFlags } from './run-flags.js';

/** What one scope gave the report: its results and verdicts, tagged with where they were judged. */
export interface ScopePart {
  outcome: ScopeOutcome;
  results: Result[];
  verdicts: Verdict[];
}

const TARGET: Target = { projects: [], allProjects: true, builds: [], lastFailed: false, images: [], foundBy: '--all-projects' };

/** The result a scope that could not be read stands for: an error, never a silent gap. */
export function scopeErrorResult(scope: Extract<ScopeRead, { kind: 'error' }>): Result {
  const where = scope.region ? `account ${scope.account}, ${scope.region}` : `account ${scope.account}`;
  return {
    check: 'scope-read',
    status: 'error',
    severity: 'error',
    subject: where,
    message: `${where} could not be read: ${scope.message}`,
    ...(scope.hint ? { fix: { target: 'other' as const, account: scope.account, description: scope.hint } } : {}),
    account: scope.account,
    ...(scope.region ? { region: scope.region } : {}),
  };
}

/** Projects judged at a time when the lines stream out: their results are written and let go. */
export const STREAM_CHUNK = 100;

/** The result of an account × region that could not be read, as a part of the report. */
function errorPart(scope: Extract<ScopeRead, { kind: 'error' }>): ScopePart {
  const result = scopeErrorResult(scope);
  const outcome: ScopeOutcome = { account: scope.account, ...(scope.region ? { region: scope.region } : {}), status: 'error', message: scope.message, ...(scope.hint ? { hint: scope.hint } : {}) };
  return { outcome, results: [result], verdicts: deriveVerdicts([result], []) };
}

/** How one read scope's facts are judged, each result and verdict tagged with its account and region. */
function judgeOf(scope: Extract<ScopeRead, { kind: 'read' }>, o: DoctorOptions, request: ScopeRequest, callerAccount: string | undefined) {
  const where = { account: scope.account, region: scope.region };
  // The fix commands name the scope's region, and another account's role (never the run's region list).
  const { region: _list, account: _one, assumeRole: _role, externalId: _id, ...common } = o;
  const asOwner = scope.account !== callerAccount && request.assumeRole ? { account: scope.account, assumeRole: request.assumeRole, ...(request.externalId !== undefined ? { externalId: request.externalId } : {}) } : {};
  const outcome: ScopeOutcome = { ...where, status: 'read', projects: scope.facts.projects.length };
  return {
    outcome,
    judge(facts: Facts): ScopePart {
      const results = withRunFlags(runChecks(facts), scope.region, { ...common, ...asOwner }).map((r) => ({ ...r, ...where }));
      return { outcome, results, verdicts: verdictsOf(results, facts).map((v) => ({ ...v, ...where })) };
    },
  };
}

/** The checks of one scope, all at once: its results and verdicts. */
export function judgeScope(scope: ScopeRead, o: DoctorOptions, request: ScopeRequest, callerAccount: string | undefined): ScopePart {
  if (scope.kind === 'error') return errorPart(scope);
  return judgeOf(scope, o, request, callerAccount).judge(scope.facts);
}

/**
 * The checks of one scope for a stream: its projects chunkSize at a time, each chunk's part as
 * soon as it is judged, so a scope of 10,000 projects never holds all its results at once. A
 * result about a repository or role that several chunks share comes once (as runChecks keeps it
 * once over the whole scope).
 */
export function* judgeScopeInChunks(scope: ScopeRead, o: DoctorOptions, request: ScopeRequest, callerAccount: string | undefined, chunkSize = STREAM_CHUNK): Generator<ScopePart> {
  if (scope.kind === 'error') {
    yield errorPart(scope);
    return;
  }
  const { judge } = judgeOf(scope, o, request, callerAccount);
  const seen = new Set<string>();
  const firstTime = (r: Result) => {
    const key = createHash('sha1').update(`${r.check}\u0000${r.subject}\u0000${r.status}\u0000${r.message}`).digest('base64');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  };
  const projects = scope.facts.projects;
  for (let at = 0; at < Math.max(1, projects.length); at += chunkSize) {
    const part = judge({ ...scope.facts, projects: projects.slice(at, at + chunkSize) });
    yield { ...part, results: part.results.filter(firstTime) };
  }
}

/** A progress line on stderr at a terminal, rewritten in place: accounts, regions, projects done. */
export function makeScopeProgress(enabled: boolean, write: (text: string) => void = (text) => process.stderr.write(text)) {
  let planned = 0;
  let done = 0;
  let projects = 0;
  let errors = 0;
  let accounts = 0;
  const draw = () => {
    if (!enabled) return;
    const tail = errors ? `, ${errors} could not be read` : '';
    write(`\r\x1b[2Kecr-doctor: ${done}/${planned || '?'} account-regions read (${accounts} account${accounts === 1 ? '' : 's'}), ${projects} projects${tail}`);
  };
  return {
    planned(a: number, scopes: number) {
      accounts = a;
      planned = scopes;
      draw();
    },
    scope(part: Pick<ScopePart, 'outcome'>) {
      if (part.outcome.region) done += 1;
      if (part.outcome.status === 'error') errors += 1;
      projects += part.outcome.projects ?? 0;
      draw();
    },
    end() {
      if (enabled && (done || planned)) write('\r\x1b[2K');
    },
  };
}

/**
 * doctor over several accounts and/or regions (issue 15): each account × region is read and
 * judged on its own; with --format jsonl its lines go out as soon as it is judged (the facts are
 * then let go), otherwise one report covers them all, in account and region order.
 */
export async function runDoctorScopes(o: DoctorOptions, request: ScopeRequest): Promise<number> {
  // The run starts as the caller; the roles of the other accounts are assumed per account.
  const { assumeRole: _ar, externalId: _ei, account: _a, region: _r, ...common } = o;
  const choice = chooseAws(common, TARGET);
  const stream = o.format === 'jsonl' && !o.output;
  if (stream) await keepHeapSmall();
  const progress = makeScopeProgress(!o.quiet && !!process.stderr.isTTY && !stream);
  const verbose = o.verbose ? (line: string) => writeErr(`ecr-doctor: ${line}`) : () => {};
  const parts: ScopePart[] = [];
  const targetOf = (account?: string): Record<string, unknown> => ({
    description: `all projects in ${describeRequest(request)}`,
    foundBy: '--all-projects',
    source: 'live',
    ...(account ? { account } : {}),
    ...(request.accounts.kind === 'list' ? { accounts: request.accounts.ids } : {}),
    ...(request.accounts.kind === 'organization' ? { organization: true } : {}),
    ...(request.regions.kind === 'list' && request.regions.names.length ? { regions: request.regions.names } : {}),
    ...(request.regions.kind === 'all' ? { allRegions: true } : {}),
    ...(request.assumeRole ? { assumeRole: request.assumeRole } : {}),
  });
  const { readScopes } = await import('../sources/live/scopes.js');
  let caller;
  let callerAccount: string | undefined;
  try {
    if (stream) writeOut(jsonlRun({ schemaVersion: 1, tool: { name: 'ecr-doctor', version: VERSION }, target: targetOf() }));
    caller = await readScopes(
      choice.options,
      request,
      TARGET,
      async (scope) => {
        let part: ScopePart;
        if (stream) {
          // Each chunk's lines go out as it is judged, at the reader's pace; only the statuses
          // stay, for the summary line and the exit code.
          const statuses: Result[] = [];
          let outcome: ScopeOutcome | undefined;
          for (const chunk of judgeScopeInChunks(scope, o, request, callerAccount)) {
            await writeOutPaced([...chunk.results.map(jsonlResult), ...chunk.verdicts.map((v) => jsonlVerdict(v))].join(''));
            for (const r of chunk.results) statuses.push({ status: r.status } as Result);
            outcome = chunk.outcome;
          }
          part = { outcome: outcome!, results: statuses, verdicts: [] };
        } else {
          part = judgeScope(scope, o, request, callerAccount);
        }
        verbose(part.outcome.status === 'read' ? `read account ${part.outcome.account} ${part.outcome.region}: ${part.outcome.projects} projects` : `account ${part.outcome.account}${part.outcome.region ? ` ${part.outcome.region}` : ''}: ${part.outcome.message}`);
        progress.scope(part);
        if (stream) writeOut(jsonlScope(part.outcome));
        parts.push(part);
      },
      {
        started: (c) => {
          callerAccount = c.account;
        },
        planned: (a, n) => progress.planned(a, n),
        note: verbose,
      },
    );
  } catch (e) {
    if (e instanceof CredentialsError) throw explainCredentialsFailure(e, e.message, choice);
    throw e;
  } finally {
    progress.end();
  }
  const results = parts.flatMap((p) => p.results);
  // As for one region (doctor.ts): a run that examined no pull must not pass.
  if (results.length === 0) {
    throw new UsageError(`nothing to check: no CodeBuild project in ${describeRequest(request)}`, 'check --region (or use --all-regions) and the accounts named');
  }
  if (stream) {
    const errors = parts.filter((p) => p.outcome.status === 'error').length;
    writeOut(jsonlSummary(summarise(results), { scopes: parts.length, scopeErrors: errors }));
    return decideExitCode(results, o.failOn);
  }
  parts.sort((a, b) => compareScopes(a.outcome, b.outcome));
  // The groups are computed once the target names the caller and the role: their commands use both.
  const report: Report = withFixGroups({
    schemaVersion: 1,
    tool: { name: 'ecr-doctor', version: VERSION },
    target: targetOf(caller.account),
    summary: summarise(results),
    results: parts.flatMap((p) => p.results),
    verdicts: parts.flatMap((p) => p.verdicts),
    scopes: parts.map((p) => p.outcome),
  });
  const colour = o.color && o.format === 'text' && !o.output;
  const text = renderReport(o.format, report, { paint: await loadPaint(colour), unicode: colour, verbose: !!o.verbose, quiet: !!o.quiet && !o.output, failOn: o.failOn });
  if (o.output) {
    await writeReportFile(o.output, text);
    if (!o.quiet) writeOut(`${formatSummary(report)} (${o.format} report written to ${o.output})\n`);
  } else {
    writeOut(text);
  }
  return decideExitCode(report.results, o.failOn);
}

/**
 * A streamed run keeps little (the facts and the counts: about 45 MB at 10,000 projects), but
 * V8 lets the old space grow to several times that between full collections while results are
 * made and let go (peak 260-290 MB resident at 10,000 projects). A growing factor of 1.5 keeps it
 * at about 180 MB for the same wall time (`npm run bench -- --scale`). V8 reads the flag at each
 * collection, so setting it once the run has started takes effect.
 */
async function keepHeapSmall(): Promise<void> {
  const v8 = await import('node:v8');
  v8.setFlagsFromString('--heap-growing-percent=50');
}

function compareScopes(a: ScopeOutcome, b: ScopeOutcome): number {
  return (a.account ?? '').localeCompare(b.account ?? '') || (a.region ?? '').localeCompare(b.region ?? '');
}

function describeRequest(r: ScopeRequest): string {
  const accounts = r.accounts.kind === 'organization' ? 'every account of the organization' : r.accounts.kind === 'list' ? `account${r.accounts.ids.length === 1 ? '' : 's'} ${r.accounts.ids.join(', ')}` : 'the account';
  const regions = r.regions.kind === 'all' ? 'every region where CodeBuild runs' : r.regions.names.length ? `region${r.regions.names.length === 1 ? '' : 's'} ${r.regions.names.join(', ')}` : 'the default region';
  return `${accounts}, ${regions}`;
}
