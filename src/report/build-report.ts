import type { Facts } from '../model/facts.js';
import type { Report, Result } from '../model/result.js';
import { summarise } from '../model/result.js';
import type { Target } from '../model/target.js';
import { describeTarget } from '../model/target.js';
import { VERSION } from '../version.js';
import { derivePullSubjects, type PullSubject } from '../checks/subjects.js';
import type { PullDescription } from '../model/verdict.js';
import { deriveVerdicts } from './verdict.js';

function describePull(s: PullSubject): PullDescription {
  const name = s.kind === 'eb-app' ? `eb deploy of ${s.label.replace(/^eb:/, '')}` : s.kind === 'build' ? `build ${s.label}` : s.kind === 'image' ? 'CodeBuild' : (s.projectName ?? s.label);
  // An --image's mode-independent results (the reference, the repository, the tag) are reported once, about the image.
  return { subject: s.label, kind: s.kind, name, image: s.image, mode: s.mode, ...(s.kind === 'image' ? { alsoSubjects: [s.image] } : {}) };
}

/** The report's `target`: what was examined, where, and from what source. */
export function buildReport(results: Result[], facts: Facts, target: Target, source: 'live' | 'snapshot'): Report {
  const account = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  return {
    schemaVersion: 1,
    tool: { name: 'ecr-doctor', version: VERSION },
    target: {
      description: describeTarget(target),
      foundBy: target.foundBy,
      source,
      region: facts.region,
      ...(account ? { account } : {}),
      ...(target.projects.length ? { projects: target.projects } : {}),
      ...(target.builds.length ? { builds: target.builds } : {}),
      ...(target.images.length ? { images: target.images } : {}),
      ...(target.eb ? { eb: { buildspec: target.eb.buildspecPath, application: target.eb.applicationName } } : {}),
    },
    summary: summarise(results),
    results,
    verdicts: deriveVerdicts(results, derivePullSubjects(facts).map(describePull)),
  };
}
