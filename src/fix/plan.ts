import { decidingStatements, worstOutcome } from '../checks/describe-evaluation.js';
import { ebSourceArnPinned } from '../checks/eb-source-arn-pinned.js';
import { contextFor, runChecks } from '../checks/index.js';
import { statementName } from '../checks/policy-statements.js';
import type { EcrImage } from '../checks/pull-access.js';
import { evaluateCodebuildPull, evaluateRolePull, PolicyTextError, repositoryPolicyDocument, rolePolicies } from '../checks/pull-access.js';
import type { PullSubject } from '../checks/subjects.js';
import { derivePullSubjects } from '../checks/subjects.js';
import { pullExtrasForPlanning } from '../checks/registry-policy-view.js';
import { parseArn, roleNameOf } from '../model/arn.js';
import type { Facts } from '../model/facts.js';
import type { PolicyDocument } from '../policy/index.js';
import { refusePolicyText } from '../policy/merge.js';
import { mergeRepositoryGrants, mergeRoleGrants } from './merge-grants.js';
import { PULL_ACTIONS, ROLE_POLICY_NAME, rolePullRepositoryStatement } from '../grants/pull-grants.js';
import type { FixPlan, PolicyChange, RepositoryGrants, Scope } from './types.js';
import type { KeyGrant } from '../grants/secret-grants.js';
import { planSecretRead } from './plan-secrets.js';
import { PlanError, PolicyRefusedError } from './types.js';

export type { FixPlan, PolicyChange, RepositoryGrants, RepositoryPolicyChange, RolePolicyChange, Scope } from './types.js';
export { PlanError } from './types.js';
export { mergeRepositoryGrants, mergeRoleGrants } from './merge-grants.js';

/** Which aws:SourceArn a CodeBuild grant names for this subject and scope. */
export function sourceArnForScope(subject: PullSubject, scope: Scope | undefined): string | undefined {
  if (!subject.account) return undefined;
  const accountWide = `arn:${subject.partition}:codebuild:${subject.region}:${subject.account}:project/*`;
  if (scope === 'account') return accountWide;
  return subject.grantArn;
}

interface Wanted {
  repos: Map<string, { image: EcrImage; grants: RepositoryGrants; why: string[] }>;
  roles: Map<string, { repositoryArns: string[]; why: string[]; secretArns?: string[]; keyGrants?: KeyGrant[] }>;
  notes: string[];
  /** Set when planFix collects refusals instead of stopping at the first. */
  refused?: string[];
}

/** A change that cannot be planned: the whole plan stops, or (collectRefusals) only this one. */
function refuse(w: Wanted, message: string): void {
  if (!w.refused) throw new PlanError(message);
  w.refused.push(message);
}

/**
 * A policy the grammar rejects (a null condition value, 1e400) stops the evaluation of a subject:
 * said as a refusal naming the policy and the JSON path, never as an internal error.
 */
function refuseUnreadablePolicy(facts: Facts, s: PullSubject, e: PolicyTextError, w: Wanted): void {
  const ref = s.imageRef;
  const repo = ref.kind === 'ecr' ? facts.repositories[ref.repositoryArn] : undefined;
  if (ref.kind === 'ecr' && e.policyName === 'the repository policy' && repo?.policy.state === 'present') {
    const refused = refusePolicyText(repo.policy.value.text);
    const predicate = refused?.predicate ?? `is not a valid policy: ${e.message.replace(/^.*? is not a valid policy: /, '')}; ecr-doctor will not rewrite it`;
    refuse(w, `the repository policy of ${ref.repository} (account ${ref.account}) ${predicate}`);
    return;
  }
  refuse(w, `${s.label}: ${e.message}; ecr-doctor will not plan a change over it`);
}

function wantRepo(w: Wanted, image: EcrImage) {
  let entry = w.repos.get(image.repositoryArn);
  if (!entry) {
    entry = { image, grants: { codebuildSourceArns: [], roleArns: [] }, why: [] };
    w.repos.set(image.repositoryArn, entry);
  }
  return entry;
}

function planCodebuildPull(facts: Facts, s: PullSubject, ref: EcrImage, policy: PolicyDocument | undefined, scope: Scope | undefined, w: Wanted): void {
  if (s.account && s.account !== ref.account) {
    w.notes.push(`${s.label}: a cross-account image cannot be pulled in CODEBUILD mode; no policy fixes that (see the pull-mode result).`);
    return;
  }
  const pulls = evaluateCodebuildPull(s, ref, policy, pullExtrasForPlanning(facts, ref));
  const outcome = worstOutcome(pulls);
  if (outcome === 'explicit-deny') {
    const denies = decidingStatements(pulls, 'explicit-deny').map((d) => `statement ${statementName(d)} of ${d.policy === 'repository policy' ? `the repository policy of ${ref.repository}` : `the ${d.policy}`}`).join(', ');
    w.notes.push(`${s.label}: ${denies} denies the pull; fix never edits statements it did not write: change or remove it yourself.`);
  }
  if (outcome !== 'implicit-deny' && !(outcome === 'undecidable' && s.kind === 'image')) return;
  const arn = sourceArnForScope(s, scope);
  if (!arn) {
    w.notes.push(`${s.label}: the account is unknown, so no aws:SourceArn can be written.`);
    return;
  }
  const app = facts.eb?.applicationName;
  if (s.kind === 'eb-app') {
    for (const pinned of ebSourceArnPinned.run(contextFor(facts, s)).filter((r) => r.status === 'warn')) {
      w.notes.push(`${s.label}: ${pinned.message} fix adds its own statement and leaves that one as it is.`);
    }
    // ArnLike has no "up to the next dash": the pattern cannot tell my-app-<label> from my-app-admin-<label>.
    if (app && arn === s.grantArn) w.notes.push(`${s.label}: ${arn} also matches the temporary projects of applications whose names start with "${app}-" (for example ${app}-admin).`);
  }
  const entry = wantRepo(w, ref);
  entry.grants.codebuildSourceArns.push(arn);
  entry.why.push(`let codebuild.amazonaws.com pull for ${arn}`);
}

const TOKEN = 'ecr:GetAuthorizationToken';

/**
 * SERVICE_ROLE: the role's identity half, and across accounts the owner's repository half.
 * `ownerUnreadable` is set when the owner's repository cannot be read from the caller's account
 * (the normal case across accounts): the identity half is still planned from the role alone,
 * and the owner's statement is printed in a note, since whether it is there cannot be known.
 */
function planRolePull(facts: Facts, s: PullSubject, ref: EcrImage, policy: PolicyDocument | undefined, ownerUnreadable: string | undefined, w: Wanted): void {
  const roleArn = s.serviceRoleArn;
  const role = roleArn ? facts.roles[roleArn] : undefined;
  if (!roleArn || !role || role.role.state !== 'present' || role.inlinePolicies.state !== 'present' || role.attachedPolicies.state !== 'present') {
    if (s.kind !== 'image') w.notes.push(`${s.label}: the service role could not be read, so fix plans nothing for it.`);
    return;
  }
  const roleAccount = parseArn(roleArn)?.account ?? ref.account;
  const evaluations = evaluateRolePull(roleArn, roleAccount, ref, rolePolicies(role), policy, pullExtrasForPlanning(facts, ref));
  const outcome = worstOutcome(evaluations);
  if (outcome === 'explicit-deny') {
    const denies = decidingStatements(evaluations, 'explicit-deny').map((d) => `statement ${statementName(d)} of ${d.kind !== 'resource' ? d.policy : d.policy === 'repository policy' ? `the repository policy of ${ref.repository}` : `the ${d.policy}`}`).join(', ');
    w.notes.push(`${s.label}: ${denies} denies ${roleArn} the pull; fix never edits statements it did not write: change or remove it yourself.`);
  }
  if (outcome !== 'implicit-deny') return;
  const crossAccount = roleAccount !== ref.account;
  let identity = false;
  let owner = false;
  for (const { action, evaluation } of evaluations) {
    if (evaluation.decision !== 'implicit-deny') continue;
    if (evaluation.parts.boundary === 'implicit-deny') {
      w.notes.push(`${s.label}: the permissions boundary of ${roleArn} does not allow ${action}; fix does not edit boundaries.`);
      continue;
    }
    if (evaluation.parts.identity !== 'allowed' && (crossAccount || action === TOKEN || evaluation.parts.resource !== 'allowed')) identity = true;
    if (crossAccount && action !== TOKEN && evaluation.parts.resource !== 'allowed') owner = true;
  }
  if (identity) {
    const entry = w.roles.get(roleArn) ?? { repositoryArns: [], why: [] };
    if (!entry.repositoryArns.includes(ref.repositoryArn)) entry.repositoryArns.push(ref.repositoryArn);
    entry.why.push(`let ${roleArn} pull from ${ref.repository} (${TOKEN} on *, ${PULL_ACTIONS.join(', ')})`);
    w.roles.set(roleArn, entry);
  }
  if (owner && ownerUnreadable) {
    w.notes.push(
      `${s.label}: the repository policy of ${ref.repository} in account ${ref.account} cannot be read from here (${ownerUnreadable}); unless it already allows ${roleArn}, its owner must add this statement: ${JSON.stringify(rolePullRepositoryStatement([roleArn]))}`,
    );
  } else if (owner) {
    const entry = wantRepo(w, ref);
    if (!entry.grants.roleArns.includes(roleArn)) entry.grants.roleArns.push(roleArn);
    entry.why.push(`let ${roleArn} pull from ${ref.repository} across accounts (${PULL_ACTIONS.join(', ')})`);
  }
}

function planSubject(facts: Facts, s: PullSubject, scope: Scope | undefined, w: Wanted): void {
  const ref = s.imageRef;
  if (ref.kind !== 'ecr') return;
  // The pull fails whatever the policies say (the pull-mode result explains): a grant would be useless.
  // A pull inside the build may cross regions: docker login to that region's registry makes it work.
  if (ref.region !== s.region && s.kind !== 'in-build') return;
  const repo = facts.repositories[ref.repositoryArn];
  const unreadable =
    repo?.repository.state === 'unreadable' ? repo.repository.reason : repo?.policy.state === 'unreadable' ? repo.policy.reason : undefined;
  const roleAccount = s.serviceRoleArn ? parseArn(s.serviceRoleArn)?.account : undefined;
  if (unreadable && s.mode === 'SERVICE_ROLE' && roleAccount && roleAccount !== ref.account) {
    planRolePull(facts, s, ref, undefined, unreadable, w);
    return;
  }
  if (!repo || repo.repository.state !== 'present') {
    w.notes.push(`${s.label}: repository ${ref.repository} is missing or unreadable; fix writes no policy for it.`);
    return;
  }
  if (repo.policy.state === 'unreadable') {
    w.notes.push(`${s.label}: the repository policy of ${ref.repository} cannot be read (${repo.policy.reason}); fix will not write over what it cannot read.`);
    return;
  }
  const policy = repositoryPolicyDocument(repo);
  if (s.mode === 'CODEBUILD') planCodebuildPull(facts, s, ref, policy, scope, w);
  else planRolePull(facts, s, ref, policy, undefined, w);
}

/** Failures a policy edit cannot cure: fix says so rather than going quiet (a missing tag, a mode or region problem). */
const POLICY_CHECKS = new Set(['codebuild-principal-can-pull', 'service-role-can-pull', 'build-role-can-pull', 'role-rights-unused', 'build-failure-cause', 'registry-credential']);

function unfixableNotes(facts: Facts): string[] {
  return runChecks(facts)
    .filter((r) => (r.status === 'fail' || r.status === 'error') && !POLICY_CHECKS.has(r.check))
    .map((r) => {
      const change = r.fix ? ` fix writes policies only; ${r.fix.description.charAt(0).toLowerCase()}${r.fix.description.slice(1)}` : '';
      // A change of a project setting or a buildspec is printed exactly, for the user to make (fix never edits either).
      const run = r.fix?.command && !r.fix.command.startsWith('ecr-doctor ') ? ` Run: ${r.fix.command}` : '';
      return `${r.subject}: ${r.message}${change}${run}`;
    });
}

function mergeFor<T>(where: string, merge: () => T, w: Wanted): T | undefined {
  try {
    return merge();
  } catch (e) {
    if (e instanceof PolicyRefusedError) refuse(w, `${where} ${e.predicate}`);
    else if (e instanceof PlanError) refuse(w, `${where}: ${e.message}`);
    else throw e;
    return undefined;
  }
}

/** The policy edits that would make every diagnosed pull work, as before/after text; no I/O. */
export function planFix(facts: Facts, options: { scope?: Scope; collectRefusals?: boolean } = {}): FixPlan {
  const w: Wanted = { repos: new Map(), roles: new Map(), notes: unfixableNotes(facts), ...(options.collectRefusals ? { refused: [] } : {}) };
  for (const s of derivePullSubjects(facts)) {
    try {
      planSubject(facts, s, options.scope, w);
    } catch (e) {
      if (!(e instanceof PolicyTextError)) throw e;
      refuseUnreadablePolicy(facts, s, e, w);
    }
    const secrets = planSecretRead(facts, s);
    w.notes.push(...secrets.notes);
    for (const want of secrets.wants) {
      const entry = w.roles.get(want.roleArn) ?? { repositoryArns: [], why: [] };
      if (want.secretArn && !(entry.secretArns ??= []).includes(want.secretArn)) entry.secretArns.push(want.secretArn);
      if (want.keyGrant && !(entry.keyGrants ??= []).some((k) => k.keyArn === want.keyGrant!.keyArn)) entry.keyGrants.push(want.keyGrant);
      entry.why.push(want.why);
      w.roles.set(want.roleArn, entry);
    }
  }
  const caller = facts.caller.state === 'present' ? facts.caller.value.account : undefined;
  const changes: PolicyChange[] = [];
  for (const [arn, { image, grants, why }] of w.repos) {
    const repo = facts.repositories[arn]!;
    const before = repo.policy.state === 'present' ? repo.policy.value.text : undefined;
    const after = mergeFor(`the repository policy of ${image.repository} (account ${image.account})`, () => mergeRepositoryGrants(before, image.account, grants), w);
    if (after === undefined) continue;
    changes.push({ kind: 'repository-policy', repositoryArn: arn, repositoryName: image.repository, registryId: image.account, region: image.region, account: image.account, grants, ...(before !== undefined ? { before } : {}), after, applicable: caller === image.account, why: [...new Set(why)] });
  }
  for (const [roleArn, { repositoryArns, why, secretArns, keyGrants }] of w.roles) {
    const role = facts.roles[roleArn]!;
    const inline = role.inlinePolicies.state === 'present' ? role.inlinePolicies.value.find((p) => p.name === ROLE_POLICY_NAME) : undefined;
    const roleName = roleNameOf(roleArn);
    const secrets = { secretArns: secretArns ?? [], keyGrants: keyGrants ?? [] };
    const after = mergeFor(`the inline policy ${ROLE_POLICY_NAME} of role ${roleName}`, () => mergeRoleGrants(inline?.document, repositoryArns, secrets), w);
    if (after === undefined) continue;
    const account = parseArn(roleArn)?.account ?? '';
    changes.push({
      kind: 'role-policy', roleArn, roleName, policyName: ROLE_POLICY_NAME, account, repositoryArns, ...(inline ? { before: inline.document } : {}), after, applicable: caller === account, why: [...new Set(why)],
      ...(secretArns?.length ? { secretArns } : {}), ...(keyGrants?.length ? { keyGrants } : {}),
    });
  }
  return { changes, notes: [...new Set(w.notes)], ...(w.refused ? { refused: [...new Set(w.refused)] } : {}) };
}
