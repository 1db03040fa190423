import { codebuildPullStatement } from '../grants/pull-grants.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { actionsWith, decidingStatements, evaluationEvidence, undecidableReason, worstOutcome } from './describe-evaluation.js';
import { statementName } from './policy-statements.js';
import { CODEBUILD_SERVICE, evaluateCodebuildPull, repositoryPolicyDocument } from './pull-access.js';
import { fixCommandFor } from './fix-command.js';
import { judgeWithRegistry, resourceTagsOf, viewRegistryPolicy } from './registry-policy-view.js';
import type { StatementRef } from '../policy/index.js';

/** "statement "X" (#0) of the repository policy, statement #1 of the registry policy of account ...". */
export function statementsWithPolicy(refs: readonly StatementRef[]): string {
  return refs.map((s) => `statement ${statementName(s)} of the ${s.policy}`).join(', ');
}

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
    const judged = judgeWithRegistry(viewRegistryPolicy(ctx.facts, ref), (registryPolicy) => evaluateCodebuildPull(subject, ref, policy, { ...(registryPolicy ? { registryPolicy } : {}), ...resourceTagsOf(repo) }));
    const { evaluations } = judged;
    const outcome = worstOutcome(evaluations);
    const note = judged.note ? ` ${judged.note}` : '';
    const evidence = { repositoryArn: ref.repositoryArn, principal: CODEBUILD_SERVICE, sourceArn: subject.projectArn, ...evaluationEvidence(evaluations) };
    if (judged.unread) {
      // Under scope V2 the registry policy can deny or grant this pull: without it there is no verdict.
      return [r.error(`${unreadableMessage(judged.unread.what, judged.unread)}; under registry policy scope V2 it can deny or allow ${CODEBUILD_SERVICE}'s pull from ${ref.repository}, so there is no verdict without it.`, { evidence })];
    }
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
        const by = statementsWithPolicy(decidingStatements(evaluations, 'allowed'));
        // RCPs now cover ECR and can block a service principal, but a member account cannot read them (DOMAIN.md §6).
        return [r.pass(`${CODEBUILD_SERVICE} may pull from ${ref.repository}: allowed by ${by} (your organization's service and resource control policies cannot be read from this account and are not checked).${note}`, { evidence })];
      }
      case 'explicit-deny': {
        const denies = decidingStatements(evaluations, 'explicit-deny');
        const by = statementsWithPolicy(denies);
        const inRegistry = denies.every((s) => s.policy !== 'repository policy');
        return [r.fail(`${CODEBUILD_SERVICE} may not pull from ${ref.repository}: ${by} denies ${actionsWith(evaluations, 'explicit-deny').join(' and ')}, and a Deny beats any Allow.`, {
          evidence,
          // No command and no statement: fix would only refuse; the Deny is the user's to change.
          fix: { target: inRegistry ? 'other' : fix.target, account: fix.account, resource: fix.resource, description: `Narrow ${by} so it does not match ${CODEBUILD_SERVICE}'s pull (for example exclude requests where aws:PrincipalServiceName is ${CODEBUILD_SERVICE}); ecr-doctor never edits statements it did not write.` },
        })];
      }
      case 'implicit-deny': {
        const missing = actionsWith(evaluations, 'implicit-deny').join(' and ');
        const why = (policy
          ? `no statement of the repository policy allows ${missing} for it`
          : 'the repository has no repository policy');
        if (subject.kind === 'image') {
          // With no policy at all no project may pull; with one, some projects may be named in it.
          if (!policy) return [r.fail(`No CodeBuild project of account ${ref.account} may pull from ${ref.repository} in CODEBUILD mode: the repository has no repository policy.`, { evidence, fix })];
          return [r.fail(`Not every CodeBuild project of account ${ref.account} may pull from ${ref.repository} in CODEBUILD mode: no statement allows it for any project (statements limited to particular projects are named below).`, { evidence, fix })];
        }
        return [r.fail(`${CODEBUILD_SERVICE} may not pull from ${ref.repository}: ${why}. In CODEBUILD mode the pull is made by the service principal, so only ${where} can allow it; the service role's permissions are not used.${note}`, { evidence, fix })];
      }
      case 'undecidable':
        return [r.warn(`Cannot decide whether ${CODEBUILD_SERVICE} may pull from ${ref.repository}: it depends on ${undecidableReason(evaluations)}.`, { evidence })];
    }
  },
};
