import { rolePullIdentityStatements, rolePullRepositoryStatement } from '../grants/pull-grants.js';
import type { Result } from '../model/result.js';
import type { Check, CheckContext } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { decidingStatements, evaluationEvidence, undecidableReason, worstOutcome } from './describe-evaluation.js';
import { fixCommandFor } from './fix-command.js';
import type { ActionEvaluation } from './pull-access.js';
import { evaluateRolePull, repositoryPolicyDocument, rolePolicies } from './pull-access.js';
import { parseArn } from '../model/arn.js';
import { awsPrincipals, readablePolicy, statementName } from './policy-statements.js';
import type { RepositoryFacts } from '../model/facts.js';
import { judgeWithRegistry, resourceTagsOf, viewRegistryPolicy } from './registry-policy-view.js';

function repositoryPolicyPrincipals(repo: RepositoryFacts): string[] | undefined {
  const policy = readablePolicy(repo);
  return policy ? [...new Set(policy.statements.filter((s) => s.effect === 'Allow').flatMap(awsPrincipals))] : undefined;
}

function missingHalves(evaluations: readonly ActionEvaluation[], crossAccount: boolean) {
  const halves = { identity: [] as string[], resource: [] as string[], boundary: [] as string[] };
  for (const { action, evaluation } of evaluations) {
    if (evaluation.decision !== 'implicit-deny') continue;
    const { identity, resource, boundary } = evaluation.parts;
    if (boundary === 'implicit-deny') halves.boundary.push(action);
    const identityOk = identity === 'allowed';
    const resourceOk = resource === 'allowed';
    if (action === 'ecr:GetAuthorizationToken') {
      if (!identityOk) halves.identity.push(action);
    } else if (crossAccount) {
      if (!identityOk) halves.identity.push(action);
      if (!resourceOk) halves.resource.push(action);
    } else if (!identityOk && !resourceOk) {
      halves.identity.push(action);
    }
  }
  return halves;
}

export const serviceRoleCanPull: Check = {
  id: 'service-role-can-pull',
  run(ctx) {
    if (ctx.subject.kind === 'in-build') return [];
    return judgeRolePull('service-role-can-pull', ctx);
  },
};

/**
 * Whether the service role may pull: identity policies, boundary, and across accounts the owner's
 * repository policy. Shared by the build image in SERVICE_ROLE mode and the pulls a buildspec makes
 * after `docker login` (which runs as the same role), so both speak with one voice.
 */
export function judgeRolePull(id: 'service-role-can-pull' | 'build-role-can-pull', ctx: CheckContext): Result[] {
    const { subject, repository: repo, role } = ctx;
    const ref = subject.imageRef;
    if (subject.mode !== 'SERVICE_ROLE' || ref.kind !== 'ecr' || !repo || repo.repository.state === 'absent') return [];
    const r = resultsFor(id, ctx);
    if (subject.kind === 'image') {
      // No project, so no role to judge: say what any project's role would need (issue 3, --image).
      const grantees = (repositoryPolicyPrincipals(repo) ?? []).join(', ');
      return [r.skip(`In SERVICE_ROLE mode a project's service role needs ecr:GetAuthorizationToken on * and ecr:BatchGetImage + ecr:GetDownloadUrlForLayer on ${ref.repositoryArn} in its identity policy${grantees ? `; the repository policy also names ${grantees}` : ''}. Name a project (--project) to check a real role.`, {
        evidence: { repositoryArn: ref.repositoryArn },
        fix: { target: 'role-policy', account: ref.account, description: 'Grant these in the identity policy of the role of any project that pulls in SERVICE_ROLE mode.', statement: rolePullIdentityStatements([ref.repositoryArn]) },
      })];
    }
    const roleArn = subject.serviceRoleArn;
    if (!roleArn && subject.inBuild && !subject.projectArn) {
      return [r.skip(`The pull ${subject.inBuild.pull.command} runs as the project's service role after docker login; name the project (--project) to check that role's rights.`)];
    }
    if (!roleArn) return [r.fail(subject.inBuild ? `docker login in the build runs as the service role, and the project has none.` : 'The project pulls in SERVICE_ROLE mode but has no service role.', { fix: { target: 'project-setting', resource: subject.projectArn, description: 'Set a service role on the project.' } })];
    const roleAccount = parseArn(roleArn)?.account ?? subject.account ?? '';
    const crossAccount = roleAccount !== ref.account;
    const evidence: Record<string, unknown> = { roleArn, repositoryArn: ref.repositoryArn, crossAccount };
    // A role that was never read is no pass (an incomplete snapshot, say).
    if (!role) return [r.error(`could not check the service role ${roleArn}: it was not read`, { evidence })];
    // Across accounts the caller usually cannot read the owner's repository: judge the role's own
    // half anyway and say what the owner must allow.
    const ownerUnread = crossAccount && (repo.repository.state === 'unreadable' || repo.policy.state === 'unreadable');
    if (repo.repository.state === 'unreadable' && !ownerUnread) return [];
    if (role.role.state === 'absent') {
      return [r.fail(`The service role ${roleArn} does not exist, so the pull cannot be made.`, { evidence, fix: { target: 'project-setting', resource: subject.projectArn, description: 'Create the role or point the project at an existing one.' } })];
    }
    const unreadable: Result[] = [];
    for (const [what, fact] of [
      ['the service role', role.role],
      [`the inline policies of ${roleArn}`, role.inlinePolicies],
      [`the managed policies of ${roleArn}`, role.attachedPolicies],
      [`the permissions boundary of ${roleArn}`, role.permissionsBoundary],
      // Same account too: a Deny in the repository policy would block the pull, so an unread policy is no pass.
      ...(ownerUnread ? [] : [[`the repository policy of ${ref.repository} (account ${ref.account})`, repo.policy] as const]),
    ] as const) {
      if (fact.state === 'unreadable') unreadable.push(r.error(unreadableMessage(what, fact), { evidence }));
    }
    const boundaryArn = role.role.state === 'present' ? role.role.value.permissionsBoundaryArn : undefined;
    if (boundaryArn && role.permissionsBoundary.state === 'absent') {
      unreadable.push(r.error(`could not check the permissions boundary ${boundaryArn} of ${roleArn}: it was not read`, { evidence }));
    }
    if (unreadable.length > 0) return unreadable;

    const resourcePolicy = repo.policy.state === 'present' ? repositoryPolicyDocument(repo) : undefined;
    const policies = rolePolicies(role);
    const judged = judgeWithRegistry(viewRegistryPolicy(ctx.facts, ref), (registryPolicy) => evaluateRolePull(roleArn, roleAccount, ref, policies, resourcePolicy, { ...(registryPolicy ? { registryPolicy } : {}), ...resourceTagsOf(repo) }));
    const { evaluations } = judged;
    const note = judged.note ? ` ${judged.note}` : '';
    Object.assign(evidence, evaluationEvidence(evaluations));
    // Same account: an unread registry policy leaves no verdict (error). Across accounts the
    // owner's registry is never readable from here: the verdict stands, said as a warning, not a pass.
    const registryUnread = judged.unread;
    if (registryUnread && !crossAccount) {
      return [r.error(`${unreadableMessage(registryUnread.what, registryUnread)}; under registry policy scope V2 it can deny or allow the pull of ${roleArn}, so there is no verdict without it.`, { evidence })];
    }
    const identityFix = {
      target: 'role-policy' as const,
      account: roleAccount,
      resource: roleArn,
      description: `Add an inline policy to ${roleArn} (account ${roleAccount}) that allows ecr:GetAuthorizationToken on * and the pull actions on ${ref.repositoryArn}.`,
      command: fixCommandFor(subject, ctx.facts),
      statement: rolePullIdentityStatements([ref.repositoryArn]),
    };
    const resourceFix = {
      target: 'repository-policy' as const,
      account: ref.account,
      resource: ref.repositoryArn,
      description: `The owner of ${ref.repository} (account ${ref.account}) must add a repository-policy statement that allows ${roleArn} to pull.`,
      statement: rolePullRepositoryStatement([roleArn]),
    };

    if (ownerUnread) {
      const fact = repo.repository.state === 'unreadable' ? repo.repository : repo.policy;
      const reason = fact.state === 'unreadable' ? fact.reason : 'not read';
      const identityDenied = evaluations.filter((e) => e.evaluation.parts.identity !== 'allowed').map((e) => e.action);
      return [
        ...(identityDenied.length > 0
          ? [r.fail(`The service role ${roleArn} may not ${identityDenied.join(', ')}: no identity policy of the role allows it. The grant belongs in the role's identity policy, in account ${roleAccount}.`, { evidence, fix: identityFix })]
          : [r.pass(`The identity half is in place: the service role ${roleArn} may call ecr:GetAuthorizationToken and the pull actions on ${ref.repositoryArn}.`, { evidence })]),
        r.error(`could not check the other half: the repository policy of ${ref.repository} (account ${ref.account}) cannot be read from account ${roleAccount} (${reason}). Across accounts its owner must also allow ${roleArn}; ask them to check for the statement in the fix.`, { evidence, fix: resourceFix }),
      ];
    }

    switch (worstOutcome(evaluations)) {
      case 'allowed':
        if (registryUnread) {
          return [r.warn(`The identity policy and the repository policy allow ${roleArn} to pull from ${ref.repository}, but ${registryUnread.what} could not be read (${registryUnread.reason}); under scope V2 a Deny there would block the pull. Ask the owner of account ${ref.account} to check it.`, { evidence })];
        }
        // SCPs (and RCPs) cannot be read from a member account: say so, never claim them (DOMAIN.md §6).
        return [r.pass(`The service role ${roleArn} may pull from ${ref.repository}${crossAccount ? ' (identity policy and repository policy both allow it)' : ''}: allowed by ${decidingStatements(evaluations, 'allowed').map((s) => `statement ${statementName(s)} of ${s.kind === 'identity' ? s.policy : `the ${s.policy}`}`).join(', ')} (your organization's service and resource control policies cannot be read from this account and are not checked).${note}`, { evidence })];
      case 'undecidable':
        return [r.warn(`Cannot decide whether ${roleArn} may pull from ${ref.repository}: it depends on ${undecidableReason(evaluations)}.`, { evidence })];
      case 'explicit-deny': {
        const denies = decidingStatements(evaluations, 'explicit-deny');
        const by = denies.map((s) => `statement ${statementName(s)} of ${s.kind !== 'resource' ? s.policy : s.policy === 'repository policy' ? `the repository policy of ${ref.repository}` : `the ${s.policy}`}`).join(', ');
        // The Deny lives in the repository policy (owner's account) or in the role's own policies.
        const inRepository = denies.some((s) => s.kind === 'resource');
        return [r.fail(`The service role ${roleArn} may not pull from ${ref.repository}: denied explicitly by ${by}; a Deny beats any Allow.`, {
          evidence,
          fix: {
            target: inRepository ? 'repository-policy' : 'role-policy',
            account: inRepository ? ref.account : roleAccount,
            resource: inRepository ? ref.repositoryArn : roleArn,
            description: `Change ${by} so it does not match the role's pull; ecr-doctor never edits statements it did not write.`,
          },
        })];
      }
      case 'implicit-deny': {
        const halves = missingHalves(evaluations, crossAccount);
        const results: Result[] = [];
        if (halves.boundary.length > 0) {
          const boundary = role.permissionsBoundary.state === 'present' ? role.permissionsBoundary.value.name : 'the permissions boundary';
          results.push(r.fail(`The permissions boundary ${boundary} of ${roleArn} does not allow ${halves.boundary.join(', ')}; no grant, not even one in the repository policy, gets around a boundary.`, {
            evidence: { ...evidence, boundary },
            fix: { target: 'role-policy', account: roleAccount, resource: roleArn, description: `Add the pull actions (and ecr:GetAuthorizationToken) to the permissions boundary ${boundary}, in account ${roleAccount}.` },
          }));
        }
        if (halves.identity.length > 0) {
          const tokenOnly = halves.identity.every((a) => a === 'ecr:GetAuthorizationToken');
          results.push(r.fail(`The service role ${roleArn} may not call ${halves.identity.join(', ')}: no identity policy of the role allows it${tokenOnly ? ' (a repository policy can never grant ecr:GetAuthorizationToken)' : crossAccount ? '' : ', nor does the repository policy'}. The grant belongs in the role's identity policy, in account ${roleAccount}.`, { evidence, fix: identityFix }));
        }
        if (halves.resource.length > 0) {
          results.push(r.fail(`The repository policy of ${ref.repository} (account ${ref.account}) does not allow ${roleArn} (account ${roleAccount}) to ${halves.resource.join(', ')}: across accounts the repository owner must allow the role too.`, { evidence, fix: resourceFix }));
        }
        return results.length > 0 ? results : [r.fail(`The service role ${roleArn} may not pull from ${ref.repository}.`, { evidence, fix: identityFix })];
      }
    }
}
