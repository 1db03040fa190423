import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { runChecks } from '../checks/index.js';
import type { ApplyOutcome } from '../fix/apply.js';
import { applyChange, BackupError, describeBackup } from '../fix/apply.js';
import { fileBackup } from '../fix/backup.js';
import type { FixPlan, Scope } from '../fix/plan.js';
import { PlanError, planFix } from '../fix/plan.js';
import type { PlanFormat } from '../fix/render-plan.js';
import { describeChange, renderPlan } from '../fix/render-plan.js';
import { applyHint, reviewChange } from '../fix/review.js';
import type { Facts } from '../model/facts.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import { EXIT, decideExitCode } from '../model/exit-code.js';
import type { Target } from '../model/target.js';
import { buildReport } from '../report/build-report.js';
import { renderText } from '../report/text.js';
import { loadFacts, readLive, awsOptionsFor } from './load-facts.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { loadPaint, makeProgress, writeErr, writeOut } from './output.js';
import { resolveTarget } from './resolve-target.js';

export interface FixOptions extends TargetOptions, CommonOptions {
  dryRun: boolean;
  yes: boolean;
  format: PlanFormat;
  scope?: Scope;
  backup?: string;
  /** Where the default backup folder lives (~/.ecr-doctor/backups); tests point it elsewhere. */
  home?: string;
}

/** The formats that print the change for another tool to apply; fix itself never applies them. */
const OTHER_TOOL: Partial<Record<PlanFormat, string>> = { terraform: 'Terraform', cloudformation: 'CloudFormation', cli: 'the aws CLI' };

function defaultScope(o: FixOptions, target: Target): Scope | undefined {
  if (o.scope) return o.scope;
  return target.eb ? 'eb-app' : undefined;
}

/** --scope must fit the target: eb-app needs the eb path; project cannot name eb's temporary projects. */
function checkScope(scope: Scope | undefined, target: Target): void {
  if (scope === 'eb-app' && !target.eb) {
    throw new UsageError(
      '--scope eb-app grants the temporary projects eb deploy creates, and there is no eb deploy path here',
      'give --buildspec PATH (a buildspec.yml with eb_codebuild_settings), or use --scope project or --scope account',
    );
  }
  const others = target.projects.length + target.builds.length + target.images.length + (target.allProjects ? 1 : 0);
  if (scope === 'project' && target.eb && others === 0) {
    throw new UsageError(
      "--scope project grants named projects, and eb deploy's temporary project gets a new name on every deploy",
      'leave out --scope (the eb path is granted Elastic-Beanstalk-<app>-*), or use --scope account',
    );
  }
}

function plan(facts: Facts, scope: Scope | undefined): FixPlan {
  try {
    return planFix(facts, scope ? { scope } : {});
  } catch (e) {
    if (e instanceof PlanError) throw new IncompleteError(`cannot plan the fix: ${e.message}`);
    throw e;
  }
}

async function confirm(count: number): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`Apply ${count === 1 ? 'this change' : `these ${count} changes`}? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    // Ctrl-D or Ctrl-C at the prompt: a "no", not an error.
    return false;
  } finally {
    rl.close();
  }
}

function canPrompt(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY && !process.env.CI;
}

async function loadForFix(o: FixOptions, progress: (line: string) => void): Promise<{ facts: Facts; target: Target }> {
  if (o.snapshot) {
    const loaded = await loadFacts(o, o, progress);
    checkScope(o.scope, loaded.target);
    return loaded;
  }
  // The scope is checked before any AWS call: a wrong one is a usage error, not a slow one.
  const target = await resolveTarget(o, o, process.cwd(), process.env);
  checkScope(o.scope, target);
  return { facts: await readLive(target, o, progress), target };
}

/**
 * `fix`: plan from the same facts doctor reads; print the plan (--dry-run, or a --format for
 * another tool); or ask (terminal only) or take --yes, apply each change with
 * re-read/backup/verify, then run doctor again.
 */
export async function runFix(o: FixOptions): Promise<number> {
  const progress = makeProgress(!o.quiet);
  const otherTool = OTHER_TOOL[o.format];
  if (otherTool && o.yes) {
    throw new UsageError(`--format ${o.format} prints the change for ${otherTool} to apply; it cannot be combined with --yes`, 'leave out --format to let fix apply the change itself');
  }
  const dryRun = o.dryRun || !!o.snapshot || !!otherTool;
  if (otherTool && !o.dryRun && !o.snapshot) progress(`ecr-doctor: --format ${o.format} prints the change for ${otherTool} to apply; nothing is written (as with --dry-run).`);
  if (!dryRun && !o.yes && !canPrompt()) {
    throw new UsageError('fix writes to AWS and there is no terminal to ask', 'add --dry-run to print the change, or --yes to apply it');
  }
  const { facts, target } = await loadForFix(o, makeProgress(!o.quiet && !!o.verbose));
  const p = plan(facts, defaultScope(o, target));
  for (const note of p.notes) progress(`note: ${note}`);
  if (p.changes.length === 0) {
    const results = runChecks(facts);
    const failing = decideExitCode(results);
    progress(failing ? 'ecr-doctor: nothing fix can change; the failures left need the notes above or a change fix does not make (run doctor for details).' : 'ecr-doctor: nothing to change; the image pull is already allowed.');
    return failing;
  }
  // At a terminal each change the user is asked about is shown in full below, once.
  const reviewing = !dryRun && !o.yes;
  for (const c of p.changes) {
    if (!(reviewing && c.applicable)) progress(`${dryRun ? 'would ' : ''}${describeChange(c)}${c.applicable ? '' : ` — in another account: its owner must apply this`}`);
  }
  if (dryRun) {
    writeOut(renderPlan(p, o.format));
    for (const line of applyHint(p, o.format, { canApply: !o.snapshot })) progress(line);
    return EXIT.ok;
  }
  const applicable = p.changes.filter((c) => c.applicable);
  const foreign = p.changes.filter((c) => !c.applicable);
  if (foreign.length) {
    progress('These changes belong to another account; give them to its owner:');
    writeOut(renderPlan({ changes: foreign, notes: [] }, o.format));
  }
  if (applicable.length === 0) return EXIT.failed;
  if (reviewing) {
    for (const c of applicable) writeErr(`\n${reviewChange(c)}`);
    if (!(await confirm(applicable.length))) {
      progress('ecr-doctor: nothing written.');
      return EXIT.failed;
    }
  }

  const backup = fileBackup(o.home ?? homedir(), o.backup);
  try {
    await backup.check();
  } catch (e) {
    if (e instanceof BackupError) throw new IncompleteError(`${e.message}; nothing was written`, 'give --backup a folder or file you can write');
    throw e;
  }
  const [{ createAwsClients }, { livePolicyStore }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/policy-store.js')]);
  const clients = await createAwsClients(awsOptionsFor(o, target));
  const store = livePolicyStore(clients);
  const outcomes: ApplyOutcome[] = [];
  for (const change of applicable) {
    // Interactive: what was shown is what is written, or nothing. --yes: merged again onto the fresh policy.
    const outcome = await applyChange(store, backup, change, { requireReviewed: !o.yes });
    outcomes.push(outcome);
    if (outcome.status === 'applied') progress(`applied: ${describeChange(change)} (${describeBackup(outcome.backup, outcome.hadPolicy)})`);
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
