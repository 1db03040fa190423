import { runChecks } from '../checks/index.js';
import type { FailOn } from '../model/exit-code.js';
import { decideExitCode } from '../model/exit-code.js';
import { buildReport } from '../report/build-report.js';
import type { Format } from '../report/index.js';
import { renderReport } from '../report/index.js';
import { formatSummary } from '../report/text.js';
import { loadFacts } from './load-facts.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { loadPaint, makeProgress, writeOut, writeReportFile } from './output.js';
import { withRunFlags } from './run-flags.js';

export interface DoctorOptions extends TargetOptions, CommonOptions {
  format: Format;
  output?: string;
  failOn: FailOn;
}

export async function runDoctor(o: DoctorOptions): Promise<number> {
  const progress = makeProgress(!o.quiet && !!o.verbose);
  const { facts, target, source } = await loadFacts(o, o, progress);
  const results = withRunFlags(runChecks(facts), facts.region, o);
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
