import type { Check } from './check.js';
import { resultsFor } from './check.js';
import { worstOutcome } from './describe-evaluation.js';
import { CODEBUILD_SERVICE, evaluateCodebuildPull, evaluateRolePull, repositoryPolicyDocument, rolePolicies } from './pull-access.js';
import { parseArn } from '../model/arn.js';

/**
 * The surprise at the heart of the eb deploy story (DOMAIN.md §2): people give the service role
 * ECR rights and the pull still fails, because in CODEBUILD mode the role never makes the pull.
 */
export const roleRightsUnused: Check = {
  id: 'role-rights-unused',
  run(ctx) {
    const { subject, repository: repo, role } = ctx;
    const ref = subject.imageRef;
    if (subject.mode !== 'CODEBUILD' || ref.kind !== 'ecr' || !repo || !role || !subject.serviceRoleArn) return [];
    if (repo.repository.state !== 'present' || repo.policy.state === 'unreadable') return [];
    if (role.role.state !== 'present' || role.inlinePolicies.state !== 'present' || role.attachedPolicies.state !== 'present') return [];
    if (subject.account && subject.account !== ref.account) return [];
    const codebuild = worstOutcome(evaluateCodebuildPull(subject, ref, repositoryPolicyDocument(repo)));
    if (codebuild === 'allowed') return [];
    const roleAccount = parseArn(subject.serviceRoleArn)?.account ?? ref.account;
    const rolePull = evaluateRolePull(subject.serviceRoleArn, roleAccount, ref, { identity: rolePolicies(role).identity }, undefined)
      .filter((e) => e.action !== 'ecr:GetAuthorizationToken');
    if (worstOutcome(rolePull) !== 'allowed') return [];
    const r = resultsFor('role-rights-unused', ctx);
    const who = subject.kind === 'eb-app' ? `eb deploy's temporary CodeBuild project` : subject.kind === 'build' ? 'this build' : 'this project';
    return [r.warn(`The service role ${subject.serviceRoleArn} may pull from ${ref.repository}, but that does not help: ${who} pulls in CODEBUILD mode, so the pull is made by ${CODEBUILD_SERVICE} and only the repository policy counts.${subject.kind === 'eb-app' ? ' This is why a pipeline project in SERVICE_ROLE mode works with the same role while eb deploy fails.' : ''}`, {
      evidence: { roleArn: subject.serviceRoleArn, repositoryArn: ref.repositoryArn, mode: subject.mode, modeSource: subject.modeSource },
    })];
  },
};
