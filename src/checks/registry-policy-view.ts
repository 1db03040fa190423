/**
 * What the registry policy adds to a pull verdict. ECR User Guide, "Private registry permissions
 * in Amazon ECR": under V1 "Amazon ECR only enforces the following permissions at the private
 * registry level" (ecr:ReplicateImage, ecr:BatchImportUpstreamImage, ecr:CreateRepository), so a
 * V1 registry policy never touches a pull; under V2 "Amazon ECR allows all ECR actions in the
 * policy and enforces the registry policy in all ECR requests". We read that as: a registry
 * Deny denies a pull like any explicit Deny, and a registry Allow grants it like a resource
 * policy of the registry owner. The guide does not say whether a registry Allow is the owner's
 * half of a cross-account grant; pull-access.ts says "cannot decide" there.
 */
import type { Facts, RepositoryFacts } from '../model/facts.js';
import { registryKey } from '../model/facts.js';
import type { NamedDocument } from '../policy/index.js';
import type { ActionEvaluation, EcrImage, PullExtras } from './pull-access.js';
import { parseOrThrow } from './pull-access.js';
import { worstOutcome } from './describe-evaluation.js';

export type RegistryView =
  | { kind: 'none'; why: 'no-policy' | 'v1' | 'before-deploy' }
  | { kind: 'applies'; document: NamedDocument }
  | { kind: 'scope-unknown'; document: NamedDocument; fact: Unread }
  | { kind: 'unread'; fact: Unread };

export interface Unread {
  what: string;
  reason: string;
  permission?: string;
}

export function registryPolicyName(image: EcrImage): string {
  return `registry policy of account ${image.account} (${image.region})`;
}

export function viewRegistryPolicy(facts: Facts, image: EcrImage): RegistryView {
  const name = registryPolicyName(image);
  const registry = facts.registries?.[registryKey(image.account, image.region)];
  if (!registry) return { kind: 'unread', fact: { what: `the ${name}`, reason: 'it was not read (a snapshot from before ecr-doctor read registry policies?)' } };
  const { policy, policyScope } = registry;
  // Infrastructure code holds no account's registry policy: the verdict is the code's, and says so (like SCPs and RCPs).
  if (policy.state === 'unreadable' && policy.beforeDeploy) return { kind: 'none', why: 'before-deploy' };
  if (policy.state === 'unreadable') return { kind: 'unread', fact: { what: `the ${name}`, ...unreadFields(policy) } };
  if (policy.state === 'absent') return { kind: 'none', why: 'no-policy' };
  const document: NamedDocument = { name, policy: parseOrThrow(`the ${name}`, policy.value.text) };
  if (policyScope.state === 'present') return policyScope.value.scope === 'V1' ? { kind: 'none', why: 'v1' } : { kind: 'applies', document };
  const fact = policyScope.state === 'unreadable' ? unreadFields(policyScope) : { reason: 'it was not read' };
  return { kind: 'scope-unknown', document, fact: { what: `the registry policy scope of account ${image.account} (${image.region})`, ...fact } };
}

function unreadFields(f: { reason: string; permission?: string }): { reason: string; permission?: string } {
  return { reason: f.reason, ...(f.permission ? { permission: f.permission } : {}) };
}

export interface RegistryJudgement {
  evaluations: ActionEvaluation[];
  /** The verdict depends on registry facts we could not read. */
  unread?: Unread;
  /** A sentence for the result: V1, or a scope that did not matter. */
  note?: string;
}

/** Runs `evaluate` with the registry policy where it applies, both ways where its scope is unknown. */
export function judgeWithRegistry(view: RegistryView, evaluate: (registryPolicy?: NamedDocument) => ActionEvaluation[]): RegistryJudgement {
  switch (view.kind) {
    case 'none':
      if (view.why === 'before-deploy') return { evaluations: evaluate(), note: "The account's registry policy is not in the code and is not checked before deploy (under scope V2 a registry Deny or Allow would also count; a live run reads it)." };
      return view.why === 'v1'
        ? { evaluations: evaluate(), note: 'The registry policy has scope V1, which covers replication and pull-through-cache imports only, not pulls.' }
        : { evaluations: evaluate() };
    case 'applies':
      return { evaluations: evaluate(view.document) };
    case 'scope-unknown': {
      const v2 = evaluate(view.document);
      const v1 = evaluate();
      if (worstOutcome(v2) === worstOutcome(v1)) return { evaluations: v2, note: `The registry policy scope is unknown (${view.fact.reason}); the verdict is the same under V1 and V2.` };
      return { evaluations: v2, unread: view.fact };
    }
    case 'unread': {
      const evaluations = evaluate();
      // An explicit Deny decides whatever the registry policy says.
      return worstOutcome(evaluations) === 'explicit-deny' ? { evaluations } : { evaluations, unread: view.fact };
    }
  }
}

/**
 * The registry policy fix plans with: where it may apply (V2, or a scope we could not read), so
 * fix never plans a grant a registry Deny would undo, nor calls an allowed pull missing.
 */
export function registryPolicyForPlanning(facts: Facts, image: EcrImage): NamedDocument | undefined {
  const view = viewRegistryPolicy(facts, image);
  return view.kind === 'applies' || view.kind === 'scope-unknown' ? view.document : undefined;
}

/** The repository's tags when they were read; otherwise ResourceTag conditions stay "cannot decide". */
export function resourceTagsOf(repo: RepositoryFacts): { resourceTags?: Record<string, string> } {
  return repo.tags?.state === 'present' ? { resourceTags: repo.tags.value } : {};
}

/** registryPolicyForPlanning and the repository's tags, as fix plans with them. */
export function pullExtrasForPlanning(facts: Facts, image: EcrImage): PullExtras {
  const registryPolicy = registryPolicyForPlanning(facts, image);
  const repo = facts.repositories[image.repositoryArn];
  return { ...(registryPolicy ? { registryPolicy } : {}), ...(repo ? resourceTagsOf(repo) : {}) };
}
