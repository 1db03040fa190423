import { describeEbProblems } from '../eb/describe-eb-problems.js';
import type { FactsCheck } from './check.js';
import { makeResult } from './check.js';

const STATUS = { error: 'fail', warning: 'warn', info: 'pass' } as const;

/** What buildspec.yml and .elasticbeanstalk/config.yml leave out, with what eb deploy does about it. */
export const ebContext: FactsCheck = {
  id: 'eb-context',
  runOnce(facts) {
    const eb = facts.eb;
    if (!eb) return [];
    const subject = eb.buildspecPath;
    const problems = describeEbProblems(eb).filter((p) => p.severity !== 'info');
    // What the YAML reading found (wrong types, unknown keys) and where eb deploy would read differently.
    const read = [...(eb.problems ?? []), ...(eb.notes ?? [])].map((text) => makeResult('eb-context', subject, 'warn', text, { evidence: { file: eb.buildspecPath } }));
    if (problems.length === 0) {
      const s = eb.settings ?? {};
      return [...read, makeResult('eb-context', subject, 'pass', `eb deploy of ${eb.applicationName} builds with CodeBuild: image ${s.image}, service role ${s.codeBuildServiceRole}, region ${eb.region ?? facts.region}.`, {
        evidence: { file: eb.buildspecPath, applicationName: eb.applicationName, settings: s },
      })];
    }
    return [...read, ...problems.map((p) => makeResult('eb-context', subject, STATUS[p.severity], p.message, { evidence: { file: eb.buildspecPath, problem: p.code } }))];
  },
};
