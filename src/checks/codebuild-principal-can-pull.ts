import { codebuildPullStatement } from '../grants/pull-grants.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { actionsWith, decidingStatements, evaluationEvidence, undecidableReason, worstOutcome } from './describe-evaluation.js';
import { statementName } from './policy-statements.js';
import { CODEBUILD_SERVICE, evaluateCodebuildPull, repositoryPolicyDocument } from './pull-access.js';
import { fixCommandFor } from './fix-command.js';

export const codebuildPrincipalCanPull: Check = {
  id: 'codebuild-principal-can-pull',
  run(ctx) {
    const { subject, repository: repo } = ctx;
    const ref = subject.imageRef;
    if (subject.mode !== 'CODEBUILD' || ref.kind !== 'ecr' || !repo || repo.repository.state !== 'present') return [];
    // A cross-account image in CODEBUILD mode is a mode problem (pull-mode says so), not a policy one.
    if (subject.account && subject.account !== ref.account) return [];
    const r = resultsFor('codebuild-principal-can-pull', ctx);
    const where = `the repository policy of ${ref.repository} (account ${ref.account})`;
    if (repo.policy.state === 'unreadable') {
      return [r.error(unreadableMessage(`the repository policy of ${ref.repository}`, repo.policy), { evidence: { repositoryArn: ref.repositoryArn } })];
    }
    const policy = repositoryPolicyDocument(repo);
    const evaluations = evaluateCodebuildPull(subject, ref, policy);
    const outcome = worstOutcome(evaluations);
    const evidence = { repositoryArn: ref.repositoryArn, principal: CODEBUILD_SERVICE, sourceArn: subject.projectArn, ...evaluationEvidence(evaluations) };
    const fix = {
      target: 'repository-policy' as const,
      account: ref.account,
      resource: ref.repositoryArn,
      description: `Add a statement to ${where} that allows ${CODEBUILD_SERVICE} to pull, conditioned on aws:SourceAccount and aws:SourceArn.`,
      command: fixCommandFor(subject, ctx.facts),
      ...(subject.account && subject.projectArn ? { statement: codebuildPullStatement(subject.account, [subject.projectArn]) } : {}),
    };
    switch (outcome) {
      case 'allowed': {
        const by = decidingStatements(evaluations, 'allowed').map(statementName).join(', ');
        // RCPs now cover ECR and can block a service principal, but a member account cannot read them (DOMAIN.md §6).
        return [r.pass(`${CODEBUILD_SERVICE} may pull from ${ref.repository}: allowed by statement ${by} of the repository policy (your organization's service and resource control policies cannot be read from this account and are not checked).`, { evidence })];
      }
      case 'explicit-deny': {
        const by = decidingStatements(evaluations, 'explicit-deny').map(statementName).join(', ');
        return [r.fail(`${CODEBUILD_SERVICE} may not pull from ${ref.repository}: statement ${by} of the repository policy denies ${actionsWith(evaluations, 'explicit-deny').join(' and ')}, and a Deny beats any Allow.`, {
          evidence,
          // No command and no statement: fix would only refuse; the Deny is the user's to change.
          fix: { target: fix.target, account: fix.account, resource: fix.resource, description: `Narrow statement ${by} in ${where} so it does not match ${CODEBUILD_SERVICE}'s pull (for example exclude requests where aws:PrincipalServiceName is ${CODEBUILD_SERVICE}); ecr-doctor never edits statements it did not write.` },
        })];
      }
      case 'implicit-deny': {
        const missing = actionsWith(evaluations, 'implicit-deny').join(' and ');
        const why = policy
          ? `no statement of the repository policy allows ${missing} for it`
          : 'the repository has no repository policy';
        if (subject.kind === 'image') {
          // With no policy at all no project may pull; with one, some projects may be named in it.
          if (!policy) return [r.fail(`No CodeBuild project of account ${ref.account} may pull from ${ref.repository} in CODEBUILD mode: the repository has no repository policy.`, { evidence, fix })];
          return [r.fail(`Not every CodeBuild project of account ${ref.account} may pull from ${ref.repository} in CODEBUILD mode: no statement allows it for any project (statements limited to particular projects are named below).`, { evidence, fix })];
        }
        return [r.fail(`${CODEBUILD_SERVICE} may not pull from ${ref.repository}: ${why}. In CODEBUILD mode the pull is made by the service principal, so only ${where} can allow it; the service role's permissions are not used.`, { evidence, fix })];
      }
      case 'undecidable':
        return [r.warn(`Cannot decide whether ${CODEBUILD_SERVICE} may pull from ${ref.repository}: it depends on ${undecidableReason(evaluations)}.`, { evidence })];
    }
  },
};
