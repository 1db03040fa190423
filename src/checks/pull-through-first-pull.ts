/**
 * The first pull of a pull-through cache path whose repository does not exist yet. ECR User
 * Guide, "Sync an upstream registry with an Amazon ECR private registry" and "Private registry
 * permissions": the puller needs ecr:BatchImportUpstreamImage and ecr:CreateRepository, which ECR
 * enforces at registry level under scope V1 and V2 alike, so the registry policy always counts for
 * them; the new repository is shaped by the creation template applied for PULL_THROUGH_CACHE, and
 * an upstream that needs credentials needs the rule's secret named ecr-pullthroughcache/...
 */
import { parseArn } from '../model/arn.js';
import type { Facts, PullThroughRule } from '../model/facts.js';
import { registryKey } from '../model/facts.js';
import type { Result } from '../model/result.js';
import type { AccessRequest, NamedDocument } from '../policy/index.js';
import { evaluateAccess } from '../policy/index.js';
import type { Check, CheckContext } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { actionsWith, decidingStatements, evaluationEvidence, undecidableReason, worstOutcome } from './describe-evaluation.js';
import type { ActionEvaluation, EcrImage } from './pull-access.js';
import { codebuildPullRequests, codebuildRoleSession, evaluateCodebuildPull, evaluateRolePull, parseOrThrow, rolePolicies, roleSessionContext } from './pull-access.js';
import { cacheStatusOf, matchCreationTemplate } from './pull-through-rules.js';
import { judgeWithRegistry, registryPolicyName, viewRegistryPolicy } from './registry-policy-view.js';
import { statementsWithPolicy } from './codebuild-principal-can-pull.js';

export const FIRST_PULL_ACTIONS = ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'] as const;

// ECR User Guide, "Creating a pull through cache rule": Docker Hub, GitHub Container Registry,
// GitLab Container Registry and Azure Container Registry need credentials in a Secrets Manager
// secret whose name starts ecr-pullthroughcache/; ECR Public, Kubernetes and Quay do not.
const NEEDS_CREDENTIALS = new Set(['docker-hub', 'github-container-registry', 'gitlab-container-registry', 'azure-container-registry']);
const NEEDS_CREDENTIALS_URL = /^(registry-1\.docker\.io|ghcr\.io|registry\.gitlab\.com|[a-z0-9-]+\.azurecr\.io)$/;
export const SECRET_PREFIX = 'ecr-pullthroughcache/';

export function upstreamNeedsCredentials(rule: PullThroughRule): boolean {
  return rule.upstreamRegistry ? NEEDS_CREDENTIALS.has(rule.upstreamRegistry) : NEEDS_CREDENTIALS_URL.test(rule.upstreamRegistryUrl);
}

/** The secret name in a Secrets Manager ARN (arn:...:secret:<name>-<6 random characters>). */
function secretName(arn: string): string {
  const m = /:secret:(.+)$/.exec(arn);
  return m ? m[1]!.replace(/-[A-Za-z0-9]{6}$/, '') : arn;
}

type Puller = { kind: 'service' } | { kind: 'role'; roleArn: string; roleAccount: string; policies: ReturnType<typeof rolePolicies> };

function firstPullRequests(ctx: CheckContext, ref: EcrImage, puller: Puller): AccessRequest[] {
  if (puller.kind === 'service') {
    const [template] = codebuildPullRequests(ctx.subject, ref);
    return FIRST_PULL_ACTIONS.map((action) => ({ ...template!, action }));
  }
  const context = roleSessionContext(puller.roleArn, puller.roleAccount, ref.region, ref.account);
  return FIRST_PULL_ACTIONS.map((action) => ({ principal: codebuildRoleSession(puller.roleArn, puller.roleAccount), action, resource: ref.repositoryArn, context, unlistedKeys: 'unknown' as const }));
}

function registryDocument(facts: Facts, ref: EcrImage): { document?: NamedDocument; unread?: { reason: string; permission?: string } } {
  const policy = facts.registries?.[registryKey(ref.account, ref.region)]?.policy;
  if (!policy) return { unread: { reason: 'it was not read', permission: 'ecr:GetRegistryPolicy' } };
  if (policy.state === 'unreadable') return { unread: { reason: policy.reason, ...(policy.permission ? { permission: policy.permission } : {}) } };
  if (policy.state === 'absent') return {};
  const name = registryPolicyName(ref);
  return { document: { name, policy: parseOrThrow(`the ${name}`, policy.value.text) } };
}

function judgeGrants(ctx: CheckContext, ref: EcrImage, puller: Puller, who: string): Result {
  const r = resultsFor('pull-through-first-pull', ctx);
  const registry = registryDocument(ctx.facts, ref);
  if (registry.unread) {
    return r.error(`${unreadableMessage(`the ${registryPolicyName(ref)}`, registry.unread)}; it decides ${FIRST_PULL_ACTIONS.join(' and ')} for the first pull of ${ref.repository}, so there is no verdict without it.`);
  }
  const evaluations: ActionEvaluation[] = firstPullRequests(ctx, ref, puller).map((request) => ({
    action: request.action,
    evaluation: evaluateAccess({
      request,
      resourceAccount: ref.account,
      ...(puller.kind === 'role' ? { identityPolicies: puller.policies.identity, ...(puller.policies.boundary ? { permissionsBoundary: puller.policies.boundary } : {}) } : {}),
      ...(registry.document ? { extraResourcePolicies: [registry.document] } : {}),
    }),
  }));
  const evidence = { repositoryArn: ref.repositoryArn, puller: who, ...evaluationEvidence(evaluations) };
  const where = puller.kind === 'service' ? `the ${registryPolicyName(ref)} (the repository does not exist yet, so no repository policy can allow it)` : `the identity policy of ${who}`;
  switch (worstOutcome(evaluations)) {
    case 'allowed':
      return r.pass(`${who} may make the first pull of ${ref.repository}: ${FIRST_PULL_ACTIONS.join(' and ')} allowed by ${statementsWithPolicy(decidingStatements(evaluations, 'allowed'))}.`, { evidence });
    case 'explicit-deny':
      return r.fail(`${who} may not make the first pull of ${ref.repository}: ${statementsWithPolicy(decidingStatements(evaluations, 'explicit-deny'))} denies ${actionsWith(evaluations, 'explicit-deny').join(' and ')}.`, { evidence });
    case 'implicit-deny': {
      const missing = actionsWith(evaluations, 'implicit-deny').join(' and ');
      return r.fail(`${who} may not make the first pull of ${ref.repository}: nothing allows ${missing}, which ECR needs to import the image and create the cache repository. Allow ${missing} in ${where}.`, {
        evidence,
        fix: { target: puller.kind === 'service' ? 'other' : 'role-policy', account: ref.account, resource: ref.repositoryArn, description: `Allow ${FIRST_PULL_ACTIONS.join(' and ')} on ${ref.repositoryArn} for ${who} in ${where}.` },
      });
    }
    case 'undecidable':
      return r.warn(`Cannot decide whether ${who} may make the first pull of ${ref.repository}: it depends on ${undecidableReason(evaluations)}.`, { evidence });
  }
}

function judgeTemplate(ctx: CheckContext, ref: EcrImage, puller: Puller, who: string): Result {
  const r = resultsFor('pull-through-first-pull', ctx);
  const templates = ctx.facts.registries?.[registryKey(ref.account, ref.region)]?.creationTemplates;
  if (!templates || templates.state === 'unreadable') {
    const fact = templates?.state === 'unreadable' ? templates : { reason: 'they were not read', permission: 'ecr:DescribeRepositoryCreationTemplates' };
    return r.error(unreadableMessage(`the repository creation templates that shape ${ref.repository}`, fact));
  }
  const template = templates.state === 'present' ? matchCreationTemplate(ref.repository, templates.value) : undefined;
  const which = template ? `creation template ${template.prefix}${template.prefix === 'ROOT' ? ' (the default template)' : ''}` : 'no creation template (none is applied for PULL_THROUGH_CACHE to this path), so ECR defaults and no repository policy';
  const name = `repository policy of creation template ${template?.prefix ?? ''}`.trim();
  const templatePolicy = template?.repositoryPolicy ? parseOrThrow(`the ${name}`, template.repositoryPolicy) : undefined;
  const judged = judgeWithRegistry(viewRegistryPolicy(ctx.facts, ref), (registryPolicy) =>
    puller.kind === 'service'
      ? evaluateCodebuildPull(ctx.subject, ref, templatePolicy, registryPolicy ? { registryPolicy } : {})
      : evaluateRolePull(puller.roleArn, puller.roleAccount, ref, puller.policies, templatePolicy, registryPolicy ? { registryPolicy } : {}),
  );
  const evidence = { repositoryArn: ref.repositoryArn, creationTemplate: template?.prefix ?? null, ...evaluationEvidence(judged.evaluations) };
  if (judged.unread) return r.error(`${unreadableMessage(judged.unread.what, judged.unread)}; it can decide whether ${who} may pull from the new repository ${ref.repository}.`, { evidence });
  const outcome = worstOutcome(judged.evaluations);
  if (outcome === 'allowed') return r.pass(`The new repository ${ref.repository} gets ${which}; ${who} may pull from it afterwards.`, { evidence });
  if (outcome === 'undecidable') return r.warn(`The new repository ${ref.repository} gets ${which}; cannot decide whether ${who} may pull from it: it depends on ${undecidableReason(judged.evaluations)}.`, { evidence });
  return r.fail(`The new repository ${ref.repository} gets ${which}; ${who} may not pull from it afterwards (${actionsWith(judged.evaluations, outcome).join(' and ')}: ${outcome === 'explicit-deny' ? 'denied' : 'not allowed'}).`, {
    evidence,
    fix: { target: 'other', account: ref.account, description: `Give the creation template applied for PULL_THROUGH_CACHE to ${ref.repository} a repository policy that lets ${who} pull (aws ecr update-repository-creation-template).` },
  });
}

function judgeCredential(ctx: CheckContext, rule: PullThroughRule): Result | undefined {
  if (!upstreamNeedsCredentials(rule)) return undefined;
  const r = resultsFor('pull-through-first-pull', ctx);
  const evidence = { pullThroughRule: rule.prefix, upstreamRegistryUrl: rule.upstreamRegistryUrl, ...(rule.credentialArn ? { credentialArn: rule.credentialArn } : {}) };
  if (!rule.credentialArn) {
    return r.fail(`The pull-through cache rule ${rule.prefix} for ${rule.upstreamRegistryUrl} names no credential secret, and this upstream needs one: the first pull cannot import the image.`, {
      evidence,
      fix: { target: 'other', description: `Store the upstream credentials in a Secrets Manager secret named ${SECRET_PREFIX}<name> and set it on the rule (aws ecr update-pull-through-cache-rule --credential-arn).` },
    });
  }
  const name = secretName(rule.credentialArn);
  if (!name.startsWith(SECRET_PREFIX)) {
    return r.fail(`The pull-through cache rule ${rule.prefix} names the secret ${name}, but ECR only uses secrets whose name starts ${SECRET_PREFIX}.`, {
      evidence,
      fix: { target: 'other', description: `Recreate the secret as ${SECRET_PREFIX}${name} and point the rule at it.` },
    });
  }
  return r.pass(`The pull-through cache rule ${rule.prefix} for ${rule.upstreamRegistryUrl} names the credential secret ${name} (its value is not read).`, { evidence });
}

export const pullThroughFirstPull: Check = {
  id: 'pull-through-first-pull',
  run(ctx) {
    const { subject, repository: repo, role } = ctx;
    const ref = subject.imageRef;
    if (ref.kind !== 'ecr' || !repo || repo.repository.state !== 'absent') return [];
    const cache = cacheStatusOf(ctx.facts, ref);
    if (cache.kind !== 'cache') return [];
    const r = resultsFor('pull-through-first-pull', ctx);
    const credential = judgeCredential(ctx, cache.rule);
    const rest = credential ? [credential] : [];
    let puller: Puller;
    let who: string;
    if (subject.mode === 'CODEBUILD') {
      puller = { kind: 'service' };
      who = 'codebuild.amazonaws.com';
    } else {
      const roleArn = subject.serviceRoleArn;
      if (!roleArn) return [r.skip(`The first pull of ${ref.repository} is made by the service role; name a project (--project) to check its rights to ${FIRST_PULL_ACTIONS.join(' and ')}.`), ...rest];
      if (!role) return [r.error(`could not check the service role ${roleArn}: it was not read`), ...rest];
      for (const [what, fact] of [['the service role', role.role], [`the inline policies of ${roleArn}`, role.inlinePolicies], [`the managed policies of ${roleArn}`, role.attachedPolicies], [`the permissions boundary of ${roleArn}`, role.permissionsBoundary]] as const) {
        if (fact.state === 'unreadable') return [r.error(unreadableMessage(what, fact)), ...rest];
      }
      puller = { kind: 'role', roleArn, roleAccount: parseArn(roleArn)?.account ?? subject.account ?? '', policies: rolePolicies(role) };
      who = roleArn;
    }
    return [judgeGrants(ctx, ref, puller, who), judgeTemplate(ctx, ref, puller, who), ...rest];
  },
};
