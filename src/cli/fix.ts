import { createInterface } from 'node:readline/promises';
import { runChecks } from '../checks/index.js';
import type { ApplyOutcome } from '../fix/apply.js';
import { applyChange } from '../fix/apply.js';
import { fileBackup } from '../fix/backup.js';
import type { FixPlan, Scope } from '../fix/plan.js';
import { PlanError, planFix } from '../fix/plan.js';
import type { PlanFormat } from '../fix/render-plan.js';
import { describeChange, renderPlan } from '../fix/render-plan.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import { EXIT, decideExitCode } from '../model/exit-code.js';
import type { Target } from '../model/target.js';
import { buildReport } from '../report/build-report.js';
import { renderText } from '../report/text.js';
import { awsOptionsFor, loadFacts, readLive } from './load-facts.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { loadPaint, makeProgress, writeErr, writeOut } from './output.js';

export interface FixOptions extends TargetOptions, CommonOptions {
  dryRun: boolean;
  yes: boolean;
  format: PlanFormat;
  scope?: Scope;
  backup?: string;
}

function defaultScope(o: FixOptions, target: Target): Scope | undefined {
  if (o.scope) return o.scope;
  return target.eb ? 'eb-app' : undefined;
}

function plan(facts: Parameters<typeof planFix>[0], scope: Scope | undefined): FixPlan {
  try {
    return planFix(facts, scope ? { scope } : {});
  } catch (e) {
    if (e instanceof PlanError) throw new IncompleteError(`cannot plan the fix: ${e.message}`);
    throw e;
  }
}

async function confirm(p: FixPlan): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Apply ${p.changes.length === 1 ? 'this change' : `these ${p.changes.length} changes`}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function canPrompt(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY && !process.env.CI;
}

/**
 * `fix`: plan from the same facts doctor reads; print the plan (--dry-run); or ask (terminal
 * only) or take --yes, apply each change with re-read/backup/verify, then run doctor again.
 */
export async function runFix(o: FixOptions): Promise<number> {
  const progress = makeProgress(!o.quiet);
  const dryRun = o.dryRun || !!o.snapshot;
  if (!dryRun && !o.yes && !canPrompt()) {
    throw new UsageError('fix writes to AWS and there is no terminal to ask', 'add --dry-run to print the change, or --yes to apply it');
  }
  const { facts, target } = await loadFacts(o, o, makeProgress(!o.quiet && !!o.verbose));
  const p = plan(facts, defaultScope(o, target));
  for (const note of p.notes) progress(`note: ${note}`);
  if (p.changes.length === 0) {
    const results = runChecks(facts);
    const failing = decideExitCode(results);
    progress(failing ? 'ecr-doctor: nothing fix can change; the failures left need the notes above or a change fix does not make (run doctor for details).' : 'ecr-doctor: nothing to change; the image pull is already allowed.');
    return failing;
  }
  for (const c of p.changes) progress(`${dryRun ? 'would ' : ''}${describeChange(c)}${c.applicable ? '' : ` — in another account: its owner must apply this`}`);
  if (dryRun) {
    writeOut(renderPlan(p, o.format));
    return EXIT.ok;
  }
  const applicable = p.changes.filter((c) => c.applicable);
  const foreign = p.changes.filter((c) => !c.applicable);
  if (foreign.length) {
    progress('These changes belong to another account; give them to its owner:');
    writeOut(renderPlan({ changes: foreign, notes: [] }, o.format));
  }
  if (applicable.length === 0) return EXIT.failed;
  if (!o.yes) {
    writeErr(renderPlan({ changes: applicable, notes: [] }, 'json'));
    if (!(await confirm({ changes: applicable, notes: [] }))) {
      progress('ecr-doctor: nothing written.');
      return EXIT.failed;
    }
  }

  const [{ createAwsClients }, { livePolicyStore }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/policy-store.js')]);
  const clients = await createAwsClients(awsOptionsFor(o, target));
  const store = livePolicyStore(clients);
  const backup = fileBackup(process.cwd(), o.backup);
  const outcomes: ApplyOutcome[] = [];
  for (const change of applicable) {
    const outcome = await applyChange(store, backup, change);
    outcomes.push(outcome);
    if (outcome.status === 'applied') progress(`applied: ${describeChange(change)} (previous policy saved in ${outcome.backup})`);
    if (outcome.status === 'unchanged') progress(`unchanged: ${describeChange(change)} (already in place)`);
    if (outcome.status === 'failed') {
      writeErr(`error: ${describeChange(change)}: ${outcome.message}`);
      return EXIT.incomplete;
    }
  }

  // Re-check with fresh facts: the fix is done only when doctor agrees.
  const after = await readLive(target, o, makeProgress(!o.quiet && !!o.verbose));
  const results = runChecks(after);
  const report = buildReport(results, after, target, 'live');
  if (!o.quiet) writeOut(renderText(report, { paint: await loadPaint(o.color), verbose: !!o.verbose }));
  return decideExitCode(results);
}
