import { homedir } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { runChecks } from '../checks/index.js';
import type { ApplyOutcome } from '../fix/apply.js';
import { applyChange, BackupError, describeBackup, NO_CONDITIONAL_WRITE } from '../fix/apply.js';
import { fileBackup } from '../fix/backup.js';
import type { FixPlan, Scope } from '../fix/plan.js';
import { PlanError, planFix } from '../fix/plan.js';
import type { PlanFormat } from '../fix/render-plan.js';
import { describeChange, renderPlan } from '../fix/render-plan.js';
import { applyHint, reviewChange } from '../fix/review.js';
import { restoreCommand } from '../fix/restore.js';
import type { Facts } from '../model/facts.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import { EXIT, decideExitCode } from '../model/exit-code.js';
import type { Target } from '../model/target.js';
import { buildReport } from '../report/build-report.js';
import { renderText } from '../report/text.js';
import { loadFacts, readLive, awsOptionsFor } from './load-facts.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { hasIacTarget } from './options.js';
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
    // One repository that cannot be planned must not stop the others (--all-projects): it is reported, the run exits 3.
    return planFix(facts, { ...(scope ? { scope } : {}), collectRefusals: true });
  } catch (e) {
    if (e instanceof PlanError) throw new IncompleteError(`cannot plan the fix: ${e.message}`);
    throw e;
  }
}

/** What shells expect of a program stopped by Ctrl-C: 128 + SIGINT (2). */
const EXIT_INTERRUPTED = 130;

async function confirm(count: number): Promise<'yes' | 'no' | 'interrupted'> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  const abort = new AbortController();
  let interrupted = false;
  // readline puts the terminal in raw mode and turns Ctrl-C into a 'SIGINT' event on the interface, not the process.
  rl.on('SIGINT', () => {
    interrupted = true;
    abort.abort();
  });
  try {
    const answer = await rl.question(`Apply ${count === 1 ? 'this change' : `these ${count} changes`}? [y/N] `, { signal: abort.signal });
    return /^y(es)?$/i.test(answer.trim()) ? 'yes' : 'no';
  } catch {
    // Ctrl-D closes the prompt: a "no". Ctrl-C: interrupted.
    return interrupted ? 'interrupted' : 'no';
  } finally {
    rl.close();
  }
}

function canPrompt(): boolean {
  return !!process.stdin.isTTY && !!process.stderr.isTTY && !process.env.CI;
}

async function loadForFix(o: FixOptions, progress: (line: string) => void): Promise<{ facts: Facts; target: Target }> {
  if (o.snapshot || hasIacTarget(o)) {
    const loaded = await loadFacts(o, o, progress);
    checkScope(o.scope, loaded.target);
    return loaded;
  }
  // The scope is checked before any AWS call: a wrong one is a usage error, not a slow one.
  const target = await resolveTarget(o, o, process.cwd(), process.env);
  checkScope(o.scope, target);
  return { facts: await readLive(target, o, progress), target };
}

async function checkBackup(backup: ReturnType<typeof fileBackup>): Promise<void> {
  try {
    await backup.check();
  } catch (e) {
    if (!(e instanceof BackupError)) throw e;
    if (e.usage) throw new UsageError(e.message, 'give --backup a folder, or a file path whose parents are folders');
    throw new IncompleteError(`${e.message}; nothing was written`, 'give --backup a folder or file you can write');
  }
}

/**
 * `fix`: plan from the same facts doctor reads; print the plan (--dry-run, or a --format for
 * another tool); or ask (terminal only) or take --yes, apply each change with
 * re-read/backup/verify, then run doctor again.
 */
export async function runFix(o: FixOptions): Promise<number> {
  let progress = makeProgress(!o.quiet);
  const otherTool = OTHER_TOOL[o.format];
  if (otherTool && o.yes) {
    throw new UsageError(`--format ${o.format} prints the change for ${otherTool} to apply; it cannot be combined with --yes`, 'leave out --format to let fix apply the change itself');
  }
  if (o.yes && o.dryRun) throw new UsageError('--dry-run writes nothing and --yes writes without asking: give one of them', 'use --dry-run to print the change, or --yes to apply it');
  if (o.yes && o.snapshot) throw new UsageError('--snapshot plans from a recorded run and never writes; it cannot be combined with --yes', 'run fix against the live account (without --snapshot) to apply the change');
  // Infrastructure code is changed by its owner: fix prints the change and writes nothing.
  const dryRun = o.dryRun || !!o.snapshot || !!otherTool || hasIacTarget(o);
  if (otherTool && !o.dryRun && !o.snapshot) progress(`ecr-doctor: --format ${o.format} prints the change for ${otherTool} to apply; nothing is written (as with --dry-run).`);
  if (!dryRun && !o.yes && !canPrompt()) {
    throw new UsageError('fix writes to AWS and there is no terminal to ask', 'add --dry-run to print the change, or --yes to apply it');
  }
  const { facts, target } = await loadForFix(o, makeProgress(!o.quiet && !!o.verbose));
  const placeholder = facts.unknownAccount;
  if (placeholder) {
    // Code that does not name its account: say so rather than print the stand-in id.
    const say = progress;
    progress = (line) => say(line.split(placeholder).join('<deploy account>'));
  }
  const p = plan(facts, defaultScope(o, target));
  for (const note of p.notes) progress(`note: ${note}`);
  const refused = p.refused ?? [];
  for (const why of refused) writeErr(`error: cannot plan the fix: ${why}`);
  if (p.changes.length === 0) {
    if (refused.length) return EXIT.incomplete;
    const results = runChecks(facts);
    const failing = decideExitCode(results);
    progress(failing ? 'ecr-doctor: nothing fix can change; the failures left need the notes above or a change fix does not make (run doctor for details).' : 'ecr-doctor: nothing to change; the image pull is already allowed.');
    return failing;
  }
  // At a terminal each change the user is asked about is shown in full below, once.
  const reviewing = !dryRun && !o.yes;
  for (const c of p.changes) {
    const elsewhere = c.applicable || hasIacTarget(o) ? '' : ` — in another account: its owner must apply this`;
    // A dry run shows the statements added or replaced, as the prompt does; on stderr, so stdout stays the plan.
    if (dryRun) progress(`would ${reviewChange(c)}${elsewhere}`);
    else if (!(reviewing && c.applicable)) progress(`${describeChange(c)}${elsewhere}`);
  }
  if (dryRun) {
    if (hasIacTarget(o) && (o.format === 'terraform' || o.format === 'cloudformation')) {
      const { renderIacPlan } = await import('../fix/render-iac.js');
      writeOut(renderIacPlan(p, facts, o.format));
      return refused.length ? EXIT.incomplete : EXIT.ok;
    }
    writeOut(renderPlan(p, o.format));
    for (const line of applyHint(p, o.format, { canApply: !o.snapshot && !hasIacTarget(o) })) progress(line);
    return refused.length ? EXIT.incomplete : EXIT.ok;
  }
  const applicable = p.changes.filter((c) => c.applicable);
  const foreign = p.changes.filter((c) => !c.applicable);
  if (foreign.length) {
    progress('These changes belong to another account; give them to its owner:');
    writeOut(renderPlan({ changes: foreign, notes: [] }, o.format));
  }
  if (applicable.length === 0) return refused.length ? EXIT.incomplete : EXIT.failed;
  const aws = awsOptionsFor(o, target);
  const backup = fileBackup(o.home ?? homedir(), o.backup, undefined, aws.profile ? { profile: aws.profile } : {});
  // A --backup that can never work (a device, a parent that is a file) is said before the prompt.
  await checkBackup(backup);
  if (reviewing) {
    for (const c of applicable) writeErr(`\n${reviewChange(c)}`);
    const answer = await confirm(applicable.length);
    if (answer !== 'yes') {
      writeErr(answer === 'interrupted' ? '\necr-doctor: interrupted; nothing written.' : 'ecr-doctor: nothing written.');
      return answer === 'interrupted' ? EXIT_INTERRUPTED : EXIT.failed;
    }
  }
  progress(`note: ${NO_CONDITIONAL_WRITE}`);
  const [{ createAwsClients }, { livePolicyStore }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/policy-store.js')]);
  const clients = await createAwsClients(aws);
  const store = livePolicyStore(clients);
  const outcomes: ApplyOutcome[] = [];
  for (const change of applicable) {
    // Interactive: what was shown is what is written, or nothing. --yes: merged again onto the fresh policy.
    const outcome = await applyChange(store, backup, change, { requireReviewed: !o.yes });
    outcomes.push(outcome);
    // One line per change even with --quiet: what was written, where the old policy is, how to undo it.
    if (outcome.status === 'applied') writeErr(`applied: ${describeChange(change)} (${describeBackup(outcome.backup, outcome.hadPolicy)}); to undo: ${restoreCommand(outcome.backup)}`);
    if (outcome.status === 'unchanged') writeErr(`unchanged: ${describeChange(change)} (already in place)`);
    if (outcome.status === 'failed') {
      writeErr(`error: ${describeChange(change)}: ${outcome.message}`);
      if (outcome.hint) writeErr(`hint: ${outcome.hint}`);
      else if (outcome.backup) writeErr(`hint: run doctor to see where the policy stands; if the write was applied, undo it with: ${restoreCommand(outcome.backup)}`);
      return EXIT.incomplete;
    }
  }

  // Re-check with fresh facts: the fix is done only when doctor agrees.
  const after = await readLive(target, o, makeProgress(!o.quiet && !!o.verbose));
  const results = runChecks(after);
  const report = buildReport(results, after, target, 'live');
  if (!o.quiet) writeOut(renderText(report, { paint: await loadPaint(o.color), verbose: !!o.verbose }));
  // A change that could not be planned leaves the fix unfinished, whatever the re-check says.
  return refused.length ? EXIT.incomplete : decideExitCode(results);
}
