import type { Facts } from '../model/facts.js';
import type { Report, Result } from '../model/result.js';
import { summarise } from '../model/result.js';
import type { Target } from '../model/target.js';
import { describeTarget } from '../model/target.js';
import { VERSION } from '../version.js';

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
  };
}
