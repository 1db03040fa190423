import type { Facts } from '../model/facts.js';
import type { Result } from '../model/result.js';
import type { Check, CheckContext, FactsCheck } from './check.js';
import { makeResult } from './check.js';
import { buildFailureCause, buildFound } from './build-failure-cause.js';
import { ebContext } from './eb-context.js';
import { codebuildPrincipalCanPull } from './codebuild-principal-can-pull.js';
import { ebSourceArnPinned } from './eb-source-arn-pinned.js';
import { imageExists } from './image-exists.js';
import { imageReference } from './image-reference.js';
import { legacyCodebuildPrincipals } from './legacy-codebuild-principals.js';
import { projectFound } from './project-found.js';
import { pullMode } from './pull-mode.js';
import { repositoryExists } from './repository-exists.js';
import { repositoryPolicyOpen } from './repository-policy-open.js';
import { roleRightsUnused } from './role-rights-unused.js';
import { serviceRoleCanPull } from './service-role-can-pull.js';
import { buildRoleCanPull } from './build-role-can-pull.js';
import { buildspecPulls } from './buildspec-pulls.js';
import { dockerDaemon } from './docker-daemon.js';
import { dockerHubRateLimit } from './docker-hub-rate-limit.js';
import { legacyGetLogin, registryLogin } from './registry-login.js';
import { platform } from './platform.js';
import { imageSize } from './image-size.js';
import { registryCredential } from './registry-credential.js';
import { buildNetwork } from './build-network.js';
import { lifecycleExpiry } from './lifecycle-expiry.js';
import { pullThroughFirstPull } from './pull-through-first-pull.js';
import type { PullSubject } from './subjects.js';
import { derivePullSubjects } from './subjects.js';

/** Checks over the facts as a whole, run first. */
export const FACTS_CHECKS: readonly FactsCheck[] = [projectFound, buildFound, ebContext, buildspecPulls, dockerDaemon, legacyGetLogin, buildNetwork];

/** Checks over each pull, in the order a reader wants them: what, where, who. */
export const SUBJECT_CHECKS: readonly Check[] = [
  buildFailureCause,
  imageReference,
  pullMode,
  repositoryExists,
  imageExists,
  codebuildPrincipalCanPull,
  serviceRoleCanPull,
  roleRightsUnused,
  ebSourceArnPinned,
  repositoryPolicyOpen,
  legacyCodebuildPrincipals,
  registryLogin,
  buildRoleCanPull,
  dockerHubRateLimit,
  platform,
  imageSize,
  registryCredential,
  lifecycleExpiry,
  pullThroughFirstPull,
];

export function contextFor(facts: Facts, subject: PullSubject): CheckContext {
  const ref = subject.imageRef;
  const repository = ref.kind === 'ecr' ? facts.repositories[ref.repositoryArn] : undefined;
  const role = subject.serviceRoleArn ? facts.roles[subject.serviceRoleArn] : undefined;
  return { facts, subject, ...(repository ? { repository } : {}), ...(role ? { role } : {}) };
}

function runGuarded(id: string, subject: string, run: () => Result[]): Result[] {
  try {
    return run();
  } catch (e) {
    // A check that throws is an error, never a pass (cdk-nag's rule).
    const message = e instanceof Error ? e.message : String(e);
    return [makeResult(id as Check['id'], subject, 'error', `check ${id} could not run: ${message}`)];
  }
}

/**
 * For --image the same image is examined in both pull modes; these checks do not depend on the
 * mode, so their results are about the image itself and reported once (issue 14: "3 failed" for 2 problems).
 */
const MODE_INDEPENDENT: ReadonlySet<string> = new Set(['image-reference', 'repository-exists', 'image-exists']);

function aboutImage(subject: PullSubject, results: Result[]): Result[] {
  if (subject.kind !== 'image') return results;
  return results.map((r) => (MODE_INDEPENDENT.has(r.check) && r.subject === subject.label ? { ...r, subject: subject.image } : r));
}

/** Runs every check over the facts. Results about one repository seen through several subjects are kept once. */
export function runChecks(facts: Facts, subjects: readonly PullSubject[] = derivePullSubjects(facts)): Result[] {
  const results: Result[] = [];
  for (const check of FACTS_CHECKS) results.push(...runGuarded(check.id, 'facts', () => check.runOnce(facts)));
  for (const subject of subjects) {
    const ctx = contextFor(facts, subject);
    for (const check of SUBJECT_CHECKS) results.push(...aboutImage(subject, runGuarded(check.id, subject.label, () => check.run(ctx))));
  }
  const seen = new Set<string>();
  // A failed build's own words lead the report (issue 6): users arrive with a red build.
  const leading = (r: Result) => (r.check === 'build-failure-cause' ? 0 : 1);
  return [...results].sort((a, b) => leading(a) - leading(b)).filter((r) => {
    const key = `${r.check}\u0000${r.subject}\u0000${r.status}\u0000${r.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
