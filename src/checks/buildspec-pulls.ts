import type { Result } from '../model/result.js';
import type { FactsCheck } from './check.js';
import { makeResult } from './check.js';
import { placeOf } from './in-build-steps.js';
import { buildspecOwners } from './subjects.js';

/**
 * What the doctor could and could not see of the pulls a build makes. A buildspec it could not read,
 * a Dockerfile not at hand, or an image it could not resolve is said, never passed over: a report
 * that judged only the build image would be a false all-clear (DOMAIN.md §6b).
 */
export const buildspecPulls: FactsCheck = {
  id: 'buildspec-pulls',
  runOnce(facts) {
    const results: Result[] = [];
    for (const owner of buildspecOwners(facts)) {
      const bs = owner.buildspec;
      const subject = owner.label;
      if (!bs || bs.state === 'absent') continue;
      if (bs.state === 'unreadable') {
        results.push(makeResult('buildspec-pulls', subject, bs.permission ? 'error' : 'warn', `Could not check the pulls inside the build: ${bs.reason}.`, { evidence: { ...(bs.permission ? { permission: bs.permission } : {}) } }));
        continue;
      }
      const v = bs.value;
      const evidence = { origin: v.origin, ...(v.path ? { path: v.path } : {}) };
      for (const p of v.problems ?? []) results.push(makeResult('buildspec-pulls', subject, 'warn', p, { evidence }));
      for (const m of v.missing ?? []) results.push(makeResult('buildspec-pulls', subject, 'warn', `Could not check every pull inside the build: ${m}.`, { evidence }));
      const pulls = v.steps.filter((s) => s.kind === 'pull');
      for (const p of pulls) {
        if (p.image !== undefined) continue;
        results.push(makeResult('buildspec-pulls', subject, 'warn', `Could not tell which image \`${p.command}\` (${placeOf(p)}${p.dockerfile ? `, ${p.dockerfile}:${p.line}` : ''}) pulls: ${p.expression ?? ''} depends on ${(p.unresolved ?? []).join('; ')}.`, { evidence: { ...evidence, expression: p.expression } }));
      }
      const images = [...new Set(pulls.flatMap((p) => (p.image ? [p.image] : [])))];
      results.push(makeResult('buildspec-pulls', subject, 'pass', images.length ? `Read ${v.origin}: the build pulls ${images.join(', ')}.` : `Read ${v.origin}: it pulls no image with docker.`, { evidence: { ...evidence, images } }));
    }
    return results;
  },
};
