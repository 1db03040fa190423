import type { FixHint } from '../model/result.js';
import type { PullCause } from '../triage/classify.js';
import { findPullFailure } from '../triage/classify.js';
import type { Check, FactsCheck } from './check.js';
import { makeResult, resultsFor, unreadableMessage } from './check.js';

/** A build asked for that could not be found or read. */
export const buildFound: FactsCheck = {
  id: 'build-failure-cause',
  runOnce(facts) {
    return facts.builds.flatMap(({ requested, build }) => {
      if (build.state === 'present') return [];
      if (build.state === 'unreadable') return [makeResult('build-failure-cause', requested, 'error', unreadableMessage(requested, build))];
      return [makeResult('build-failure-cause', requested, requested.startsWith('last failed') ? 'skip' : 'fail', requested.startsWith('last failed') ? `No failed build found (${requested}).` : `Build ${requested} was not found in region ${facts.region}.`)];
    });
  },
};

/** Where the change a cause calls for belongs. */
function fixTargetOf(cause: PullCause): FixHint['target'] {
  switch (cause) {
    case 'codebuild-not-trusted':
    case 'layer-download-denied':
      return 'repository-policy';
    case 'role-missing-permission':
    case 'role-explicit-deny':
    case 'in-build-pull':
    case 'logs-access-denied':
      return 'role-policy';
    case 'image-not-found':
    case 'repository-missing-or-denied':
    case 'image-too-large':
      return 'image';
    case 'invalid-image-reference':
    case 'registry-credential-invalid':
    case 'docker-daemon-unavailable':
    case 'pull-mode-rejected':
    case 'registry-login-missing':
    case 'ecr-get-login-removed':
      return 'project-setting';
    case 'platform-mismatch':
      return 'image';
    default:
      return 'other';
  }
}

/** Leads the report with what the failed build itself said, classified (DOMAIN.md §7). */
export const buildFailureCause: Check = {
  id: 'build-failure-cause',
  run(ctx) {
    const build = ctx.subject.build;
    if (!build) return [];
    const r = resultsFor('build-failure-cause', ctx);
    const subject = build.id;
    const failure = findPullFailure(build);
    const mode = build.environment.imagePullCredentialsType ?? 'CODEBUILD';
    const evidence: Record<string, unknown> = { buildId: build.id, buildStatus: build.buildStatus, image: build.environment.image, mode };
    if (!failure) {
      return [r.pass(`Build ${build.id} (${build.buildStatus ?? 'status unknown'}) did not fail on its image.`, { subject, evidence })];
    }
    const c = failure.classification;
    Object.assign(evidence, { phase: failure.phase, statusCode: failure.statusCode, cause: c.cause, quote: c.evidence, message: failure.message });
    // SCPs and RCPs are not readable from a member account (DOMAIN.md §6): a possibility, never a verdict.
    const orgNote = c.isEcrGrantProblem
      ? ` If the checks below find every grant in place, an organization policy may deny the pull: an SCP (for a role) or an RCP (for ${mode === 'CODEBUILD' ? 'codebuild.amazonaws.com' : 'the repository'}); ecr-doctor cannot read those from a member account.`
      : ' This is not an ECR grant problem.';
    return [r.fail(`Build ${build.id} failed in ${failure.phase}: ${c.summary}${c.evidence ? ` ("${c.evidence}")` : ''}${orgNote}`, {
      subject,
      evidence,
      fix: { target: fixTargetOf(c.cause), description: c.nextStep },
    })];
  },
};
