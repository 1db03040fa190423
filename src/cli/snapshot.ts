import { loadFacts, readLive } from './load-facts.js';
import { hasIacTarget } from './options.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { makeProgress, writeErr, writeOut, writeReportFile } from './output.js';
import { resolveTarget } from './resolve-target.js';
import { EXIT } from '../model/exit-code.js';

export interface SnapshotOptions extends TargetOptions, CommonOptions {
  output?: string;
}

/** Writes the facts doctor would read, so `doctor --snapshot FILE` replays them with no AWS access. */
export async function runSnapshot(o: SnapshotOptions): Promise<number> {
  const progress = makeProgress(!o.quiet && !!o.verbose);
  // Infrastructure code: the Facts built from it, with each resource's file:line (facts.locations),
  // which doctor --snapshot replays to the same verdicts.
  const facts = hasIacTarget(o) ? (await loadFacts(o, o, progress)).facts : await readLive(await resolveTarget(o, o, process.cwd(), process.env), o, progress);
  const text = `${JSON.stringify(facts, null, 2)}\n`;
  if (o.output) {
    await writeReportFile(o.output, text);
    if (!o.quiet) writeErr(`ecr-doctor: snapshot written to ${o.output}; replay it with: ecr-doctor doctor --snapshot ${o.output}`);
  } else {
    writeOut(text);
  }
  return EXIT.ok;
}
