import type { Facts } from '../model/facts.js';
import type { Report, Result } from '../model/result.js';
import { summarise } from '../model/result.js';
import type { Target } from '../model/target.js';
import { describeTarget } from '../model/target.js';
import { VERSION } from '../version.js';
import { derivePullSubjects, type PullSubject } from '../checks/subjects.js';
import type { PullDescription, Verdict } from '../model/verdict.js';
import { deriveVerdicts } from './verdict.js';
import { groupResultsByFix, scopeOfTarget } from './fix-groups.js';

function nameOf(s: PullSubject): string {
  if (s.kind === 'in-build' && s.inBuild) return nameOf(s.inBuild.owner);
  if (s.kind === 'eb-app') return `eb deploy of ${s.label.replace(/^eb:/, '')}`;
  if (s.kind === 'build') return `build ${s.label}`;
  if (s.kind === 'image') return 'CodeBuild';
  return s.projectName ?? s.label;
}

function describePull(s: PullSubject): PullDescription {
  const name = nameOf(s);
  // An --image's mode-independent results (the reference, the repository, the tag) are reported once, about the image.
  return { subject: s.label, kind: s.kind, name, image: s.image, mode: s.mode, ...(s.inBuild ? { via: s.inBuild.pull.via } : {}), ...(s.kind === 'image' ? { alsoSubjects: [s.image] } : {}) };
}

/** The report's `target`: what was examined, where, and from what source. */
export function buildReport(results: Result[], facts: Facts, target: Target, source: 'live' | 'snapshot' | 'terraform-plan' | 'terraform' | 'cloudformation'): Report {
  const account = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  return withFixGroups({
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
    verdicts: verdictsOf(results, facts),
  });
}

/** The verdicts of results judged over these facts, one per pull the facts name. */
export function verdictsOf(results: readonly Result[], facts: Facts): Verdict[] {
  return deriveVerdicts(results, derivePullSubjects(facts).map(describePull));
}

/**
 * The report with its `groups` computed from its results and target. A runner that sets
 * `target.assumeRole` or the results' account/region after buildReport calls this again, so the
 * group commands name them.
 */
export function withFixGroups(report: Report): Report {
  return { ...report, groups: groupResultsByFix(report.results, scopeOfTarget(report.target)) };
}
