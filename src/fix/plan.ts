import { worstOutcome } from '../checks/describe-evaluation.js';
import { ebSourceArnPinned } from '../checks/eb-source-arn-pinned.js';
import { contextFor, runChecks } from '../checks/index.js';
import type { EcrImage } from '../checks/pull-access.js';
import { evaluateCodebuildPull, evaluateRolePull, repositoryPolicyDocument, rolePolicies } from '../checks/pull-access.js';
import type { PullSubject } from '../checks/subjects.js';
import { derivePullSubjects } from '../checks/subjects.js';
import { parseArn } from '../model/arn.js';
import type { Facts } from '../model/facts.js';
import { parsePolicy } from '../policy/index.js';
import { mergeOwnedStatements } from '../policy/merge.js';
import { roleNameOf } from '../model/arn.js';
import {
  CODEBUILD_PULL_SID,
  ROLE_AUTH_TOKEN_SID,
  ROLE_POLICY_NAME,
  ROLE_PULL_SID,
  codebuildPullStatement,
  rolePullIdentityStatements,
  rolePullRepositoryStatement,
} from './statements.js';

export type Scope = 'project' | 'eb-app' | 'account';

export interface RepositoryGrants {
  /** aws:SourceArn values (project ARNs or ArnLike patterns) for codebuild.amazonaws.com. */
  codebuildSourceArns: string[];
  /** Role ARNs of other accounts (SERVICE_ROLE mode across accounts). */
  roleArns: string[];
}

export interface RepositoryPolicyChange {
  kind: 'repository-policy';
  repositoryArn: string;
  repositoryName: string;
  registryId: string;
  region: string;
  account: string;
  grants: RepositoryGrants;
  before?: string;
  after: string;
  /** False when ecr-doctor runs in another account: the statement is printed for the owner instead. */
  applicable: boolean;
  why: string[];
}

export interface RolePolicyChange {
  kind: 'role-policy';
  roleArn: string;
  roleName: string;
  policyName: string;
  account: string;
  repositoryArns: string[];
  before?: string;
  after: string;
  applicable: boolean;
  why: string[];
}

export type PolicyChange = RepositoryPolicyChange | RolePolicyChange;

export interface FixPlan {
  changes: PolicyChange[];
  /** What fix will not do, and why: Deny statements, boundaries, project settings, missing images. */
  notes: string[];
}

export class PlanError extends Error {}

function stringsOf(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** What ecr-doctor's own statement already grants, so a second fix adds to it rather than replacing it. */
function ownStatementValues(policyText: string | undefined, sid: string, read: (st: Record<string, unknown>) => unknown): string[] {
  if (!policyText) return [];
  const parsed = parsePolicy(policyText);
  if (!parsed.ok) return [];
  const st = parsed.policy.statements.find((s) => s.sid === sid);
  return st ? stringsOf(read(st.raw)) : [];
}

const sourceArnsOf = (st: Record<string, unknown>) => ((st.Condition as Record<string, Record<string, unknown>> | undefined)?.ArnLike ?? {})['aws:SourceArn'];
const awsPrincipalsOf = (st: Record<string, unknown>) => (st.Principal as Record<string, unknown> | undefined)?.AWS;
const resourcesOf = (st: Record<string, unknown>) => st.Resource;

/** The merged repository policy for the given grants, on top of `current` (pure; re-run on a fresh read before writing). */
export function mergeRepositoryGrants(current: string | undefined, account: string, grants: RepositoryGrants): string | undefined {
  const statements: Record<string, unknown>[] = [];
  const sids: string[] = [];
  if (grants.codebuildSourceArns.length) {
    const arns = [...ownStatementValues(current, CODEBUILD_PULL_SID, sourceArnsOf), ...grants.codebuildSourceArns];
    statements.push(codebuildPullStatement(account, arns));
    sids.push(CODEBUILD_PULL_SID);
  }
  if (grants.roleArns.length) {
    statements.push(rolePullRepositoryStatement([...ownStatementValues(current, ROLE_PULL_SID, awsPrincipalsOf), ...grants.roleArns]));
    sids.push(ROLE_PULL_SID);
  }
  return merged(current, statements, sids);
}

/** ecr-doctor's inline role policy, widened to the given repositories. */
export function mergeRoleGrants(current: string | undefined, repositoryArns: readonly string[]): string | undefined {
  const arns = [...ownStatementValues(current, ROLE_PULL_SID, resourcesOf), ...repositoryArns];
  return merged(current, rolePullIdentityStatements(arns), [ROLE_AUTH_TOKEN_SID, ROLE_PULL_SID]);
}

function merged(current: string | undefined, statements: Record<string, unknown>[], sids: string[]): string | undefined {
  const result = mergeOwnedStatements(current, statements, (sid) => sids.includes(sid));
  if (!result.ok) throw new PlanError(result.message);
  return result.changed ? result.text : undefined;
}

/** Which aws:SourceArn a CodeBuild grant names for this subject and scope. */
export function sourceArnForScope(subject: PullSubject, scope: Scope | undefined): string | undefined {
  if (!subject.account) return undefined;
  const accountWide = `arn:${subject.partition}:codebuild:${subject.region}:${subject.account}:project/*`;
  if (scope === 'account') return accountWide;
  return subject.grantArn;
}

interface Wanted {
  repos: Map<string, { image: EcrImage; grants: RepositoryGrants; why: string[] }>;
  roles: Map<string, { repositoryArns: string[]; why: string[] }>;
  notes: string[];
}

function wantRepo(w: Wanted, image: EcrImage) {
  let entry = w.repos.get(image.repositoryArn);
  if (!entry) {
    entry = { image, grants: { codebuildSourceArns: [], roleArns: [] }, why: [] };
    w.repos.set(image.repositoryArn, entry);
  }
  return entry;
}

function planSubject(facts: Facts, s: PullSubject, scope: Scope | undefined, w: Wanted): void {
  const ref = s.imageRef;
  if (ref.kind !== 'ecr') return;
  const repo = facts.repositories[ref.repositoryArn];
  if (!repo || repo.repository.state !== 'present') {
    w.notes.push(`${s.label}: repository ${ref.repository} is missing or unreadable; fix writes no policy for it.`);
    return;
  }
  if (repo.policy.state === 'unreadable') {
    w.notes.push(`${s.label}: the repository policy of ${ref.repository} cannot be read (${repo.policy.reason}); fix will not write over what it cannot read.`);
    return;
  }
  const policy = repositoryPolicyDocument(repo);
  if (s.mode === 'CODEBUILD') {
    if (s.account && s.account !== ref.account) {
      w.notes.push(`${s.label}: a cross-account image cannot be pulled in CODEBUILD mode; no policy fixes that (see the pull-mode result).`);
      return;
    }
    const outcome = worstOutcome(evaluateCodebuildPull(s, ref, policy));
    if (outcome === 'explicit-deny') w.notes.push(`${s.label}: a Deny statement in the repository policy of ${ref.repository} blocks the pull; fix never edits statements it did not write.`);
    if (outcome !== 'implicit-deny' && !(outcome === 'undecidable' && s.kind === 'image')) return;
    const arn = sourceArnForScope(s, scope);
    if (!arn) {
      w.notes.push(`${s.label}: the account is unknown, so no aws:SourceArn can be written.`);
      return;
    }
    if (s.kind === 'eb-app') {
      for (const pinned of ebSourceArnPinned.run(contextFor(facts, s)).filter((r) => r.status === 'warn')) {
        w.notes.push(`${s.label}: ${pinned.message} fix adds its own statement and leaves that one as it is.`);
      }
    }
    const entry = wantRepo(w, ref);
    entry.grants.codebuildSourceArns.push(arn);
    entry.why.push(`let codebuild.amazonaws.com pull for ${arn}`);
    return;
  }
  const roleArn = s.serviceRoleArn;
  const role = roleArn ? facts.roles[roleArn] : undefined;
  if (!roleArn || !role || role.role.state !== 'present' || role.inlinePolicies.state !== 'present' || role.attachedPolicies.state !== 'present') {
    if (s.kind !== 'image') w.notes.push(`${s.label}: the service role could not be read, so fix plans nothing for it.`);
    return;
  }
  const roleAccount = parseArn(roleArn)?.account ?? ref.account;
  const evaluations = evaluateRolePull(roleArn, roleAccount, ref, rolePolicies(role), policy);
  const outcome = worstOutcome(evaluations);
  if (outcome === 'explicit-deny') w.notes.push(`${s.label}: a Deny statement blocks ${roleArn}; fix never edits statements it did not write.`);
  if (outcome !== 'implicit-deny') return;
  const crossAccount = roleAccount !== ref.account;
  for (const { action, evaluation } of evaluations) {
    if (evaluation.decision !== 'implicit-deny') continue;
    if (evaluation.parts.boundary === 'implicit-deny') {
      w.notes.push(`${s.label}: the permissions boundary of ${roleArn} does not allow ${action}; fix does not edit boundaries.`);
      continue;
    }
    const identityMissing = evaluation.parts.identity !== 'allowed' && (crossAccount || action === 'ecr:GetAuthorizationToken' || evaluation.parts.resource !== 'allowed');
    if (identityMissing) {
      const entry = w.roles.get(roleArn) ?? { repositoryArns: [], why: [] };
      if (!entry.repositoryArns.includes(ref.repositoryArn)) entry.repositoryArns.push(ref.repositoryArn);
      entry.why.push(`let ${roleArn} ${action}`);
      w.roles.set(roleArn, entry);
    }
    if (crossAccount && action !== 'ecr:GetAuthorizationToken' && evaluation.parts.resource !== 'allowed') {
      const entry = wantRepo(w, ref);
      if (!entry.grants.roleArns.includes(roleArn)) entry.grants.roleArns.push(roleArn);
      entry.why.push(`let ${roleArn} ${action} across accounts`);
    }
  }
}

/** Failures a policy edit cannot cure: fix says so rather than going quiet (a missing tag, a mode or region problem). */
const POLICY_CHECKS = new Set(['codebuild-principal-can-pull', 'service-role-can-pull', 'role-rights-unused', 'build-failure-cause']);

function unfixableNotes(facts: Facts): string[] {
  return runChecks(facts)
    .filter((r) => (r.status === 'fail' || r.status === 'error') && !POLICY_CHECKS.has(r.check))
    .map((r) => `${r.subject}: ${r.message}${r.fix ? ` fix writes policies only: ${r.fix.description}` : ''}`);
}

/** The policy edits that would make every diagnosed pull work, as before/after text; no I/O. */
export function planFix(facts: Facts, options: { scope?: Scope } = {}): FixPlan {
  const w: Wanted = { repos: new Map(), roles: new Map(), notes: unfixableNotes(facts) };
  for (const s of derivePullSubjects(facts)) planSubject(facts, s, options.scope, w);
  const caller = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  const changes: PolicyChange[] = [];
  for (const [arn, { image, grants, why }] of w.repos) {
    const repo = facts.repositories[arn]!;
    const before = repo.policy.state === 'present' ? repo.policy.value.text : undefined;
    const after = mergeRepositoryGrants(before, image.account, grants);
    if (after === undefined) continue;
    changes.push({ kind: 'repository-policy', repositoryArn: arn, repositoryName: image.repository, registryId: image.account, region: image.region, account: image.account, grants, ...(before !== undefined ? { before } : {}), after, applicable: caller === image.account, why: [...new Set(why)] });
  }
  for (const [roleArn, { repositoryArns, why }] of w.roles) {
    const role = facts.roles[roleArn]!;
    const inline = role.inlinePolicies.state === 'present' ? role.inlinePolicies.value.find((p) => p.name === ROLE_POLICY_NAME) : undefined;
    const after = mergeRoleGrants(inline?.document, repositoryArns);
    if (after === undefined) continue;
    const account = parseArn(roleArn)?.account ?? '';
    changes.push({ kind: 'role-policy', roleArn, roleName: roleNameOf(roleArn), policyName: ROLE_POLICY_NAME, account, repositoryArns, ...(inline ? { before: inline.document } : {}), after, applicable: caller === account, why: [...new Set(why)] });
  }
  return { changes, notes: [...new Set(w.notes)] };
}
