import { FACTS_CHECKS, runChecks } from '../checks/index.js';
import type { Result } from '../model/result.js';
import type { FailOn } from '../model/exit-code.js';
import { decideExitCode } from '../model/exit-code.js';
import { buildReport } from '../report/build-report.js';
import type { Format } from '../report/index.js';
import { renderReport } from '../report/index.js';
import { formatSummary } from '../report/text.js';
import { annotateResults } from '../sources/iac/annotate-results.js';
import { loadFacts } from './load-facts.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { loadPaint, makeProgress, writeOut, writeReportFile } from './output.js';
import { withRunFlags } from './run-flags.js';
import { UsageError } from '../model/errors.js';
import { describeTarget } from '../model/target.js';
import type { ScopeOptions } from './scope-options.js';
import { isMultiScope, scopeRequestOf } from './scope-options.js';
import { hasIacTarget } from './options.js';

export interface DoctorOptions extends TargetOptions, CommonOptions, ScopeOptions {
  format: Format;
  output?: string;
  failOn: FailOn;
}

const LOOKUP_CHECKS: ReadonlySet<string> = new Set(FACTS_CHECKS.map((c) => c.id));

/** No results at all, or only look-up results (the eb settings) that found nothing wrong enough to fail. */
export function checkedNothing(results: readonly Result[]): boolean {
  return results.every((r) => LOOKUP_CHECKS.has(r.check) && r.status !== 'fail' && r.status !== 'error');
}

export async function runDoctor(o: DoctorOptions): Promise<number> {
  // --all-projects as JSON Lines streams too: the runner lets each scope's facts go once printed (issue 15).
  const streamAll = o.format === 'jsonl' && !o.output && !!o.allProjects && !o.snapshot && !o.live && !hasIacTarget(o) && !o.project.length && !o.build.length && !o.image.length && !o.buildspec && !o.lastFailed;
  if (isMultiScope(o) || streamAll) {
    const request = scopeRequestOf(o);
    const { runDoctorScopes } = await import('./doctor-scopes.js');
    return runDoctorScopes(o, request);
  }
  const progress = makeProgress(!o.quiet && !!o.verbose);
  const { facts, target, source } = await loadFacts(o, o, progress);
  const results = annotateResults(withRunFlags(runChecks(facts), facts.region, o), facts, { ...(iacFixCommand(o) ? { fixCommand: iacFixCommand(o)! } : {}) });
  // Keyed on the results, not on how the target was found: a run that examined no pull must not
  // pass (issue 14: a buildspec without eb_codebuild_settings "passed" with 0 checks).
  if (checkedNothing(results)) {
    const noHeader = facts.eb && !facts.eb.hasSettings ? `${facts.eb.buildspecPath} has no eb_codebuild_settings, so eb deploy does not build with CodeBuild; ` : '';
    throw new UsageError(
      `nothing to check: ${describeTarget(target) || 'the target'} names no image pull to examine`,
      `${noHeader}name a project (--project NAME), an image (--image URI) or a failed build (--build ID)`,
    );
  }
  const report = buildReport(results, facts, target, source);
  const colour = o.color && o.format === 'text' && !o.output;
  const paint = await loadPaint(colour);
  const text = renderReport(o.format, report, { paint, unicode: colour, verbose: !!o.verbose, quiet: !!o.quiet && !o.output, failOn: o.failOn });
  if (o.output) {
    await writeReportFile(o.output, text);
    if (!o.quiet) writeOut(`${formatSummary(report)} (${o.format} report written to ${o.output})\n`);
  } else {
    writeOut(text);
  }
  return decideExitCode(results, o.failOn);
}

/** The fix command for infrastructure code: the change printed against the code's names. */
function iacFixCommand(o: DoctorOptions): string | undefined {
  const q = (s: string) => (/^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, "'\\''")}'`);
  if (o.cloudformation) return `ecr-doctor fix --cloudformation ${q(o.cloudformation)}${(o.parameter ?? []).map((p) => ` --parameter ${q(p)}`).join('')} --format cloudformation`;
  if (o.terraformPlan) return `ecr-doctor fix --terraform-plan ${q(o.terraformPlan)}${o.terraform ? ` --terraform ${q(o.terraform)}` : ''} --format terraform`;
  if (o.terraform) return `ecr-doctor fix --terraform ${q(o.terraform)}${(o.var ?? []).map((v) => ` --var ${q(v)}`).join('')}${(o.varFile ?? []).map((f) => ` --var-file ${q(f)}`).join('')} --format terraform`;
  return undefined;
}
