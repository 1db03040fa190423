import type { Result, Status } from '../model/result.js';
import type { PullDescription, Verdict } from '../model/verdict.js';

export type { PullDescription, Verdict };

/**
 * The checks that decide whether a project's (or build's, eb's, image's) own image can be pulled.
 * Other results about the same subject concern the build around the pull (its docker daemon, its
 * buildspec), so a verdict they decide names the problem without saying "cannot pull" the image.
 * Every result of an in-build pull is about that pull.
 */
export const IMAGE_PULL_CHECKS: ReadonlySet<string> = new Set([
  'project-found',
  'build-failure-cause',
  'image-reference',
  'pull-mode',
  'repository-exists',
  'image-exists',
  'codebuild-principal-can-pull',
  'service-role-can-pull',
  'role-rights-unused',
  'eb-source-arn-pinned',
]);

const RANK: Record<Status, number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 };
const isProblem = (r: Result) => r.status === 'fail' || r.status === 'warn' || r.status === 'error';

function decide(subject: string, results: readonly Result[], pull?: PullDescription): Verdict {
  const aboutPull = (r: Result) => !pull || pull.kind === 'in-build' || IMAGE_PULL_CHECKS.has(r.check);
  // A warning or skip about the build around the pull (a buildspec it could not read) does not
  // decide whether the image can be pulled; a failure there (no docker daemon) does.
  const rank = (r: Result) => (aboutPull(r) || r.status === 'fail' || r.status === 'error' ? RANK[r.status] : RANK.pass + 1);
  // The first of the worst: checks run in the order a reader wants them (what, where, who).
  let worst: Result | undefined;
  for (const r of results) if (!worst || rank(r) < rank(worst)) worst = r;
  const problems = results.filter(isProblem).length;
  const decided = worst && worst.status !== 'pass' && rank(worst) <= RANK.pass ? worst : undefined;
  return {
    subject,
    status: decided?.status ?? (worst ? 'pass' : 'skip'),
    ...(pull ? { pull: { kind: pull.kind, name: pull.name, image: pull.image, mode: pull.mode, ...(pull.via ? { via: pull.via } : {}) } } : {}),
    ...(decided ? { check: decided.check, message: decided.message, aboutPull: aboutPull(decided) } : {}),
    ...(decided?.fix?.command ? { fixCommand: decided.fix.command } : {}),
    ...(decided?.fix && !decided.fix.command ? { fixDescription: decided.fix.description } : {}),
    moreProblems: Math.max(0, problems - (decided && isProblem(decided) ? 1 : 0)),
  };
}

/**
 * One verdict per pull, in the order the pulls were named, then one per other subject that has a
 * problem (subjects that only pass are left to the details).
 */
export function deriveVerdicts(results: readonly Result[], pulls: readonly PullDescription[]): Verdict[] {
  // Each result's position under its subject, so a pull gathers its own in one lookup (10,000
  // projects meant 10,000 passes over 115,000 results before).
  const bySubject = new Map<string, number[]>();
  results.forEach((r, i) => {
    const at = bySubject.get(r.subject);
    if (at) at.push(i);
    else bySubject.set(r.subject, [i]);
  });
  const covered = new Set<string>();
  const verdicts: Verdict[] = [];
  for (const pull of pulls) {
    const subjects = new Set([pull.subject, ...(pull.alsoSubjects ?? [])]);
    for (const s of subjects) covered.add(s);
    const at = [...subjects].flatMap((s) => bySubject.get(s) ?? []);
    if (subjects.size > 1) at.sort((a, b) => a - b);
    const own = at.map((i) => results[i] as Result);
    if (own.length > 0) verdicts.push(decide(pull.subject, own, pull));
  }
  for (const [subject, at] of bySubject) {
    if (covered.has(subject)) continue;
    const own = at.map((i) => results[i] as Result);
    if (own.some(isProblem)) verdicts.push(decide(subject, own));
  }
  return verdicts;
}
