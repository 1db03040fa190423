/**
 * Merges ecr-doctor's statements onto a policy: pure, run once when planning and again on the
 * fresh read just before writing (SetRepositoryPolicy has no conditional write, DOMAIN.md §4).
 */
import { mergeOwnedStatements, refusePolicyText } from '../policy/merge.js';
import type { PolicyHolder } from './ownership.js';
import { findOwnedStatements } from './ownership.js';
import {
  CODEBUILD_PULL_SID,
  ROLE_AUTH_TOKEN_SID,
  ROLE_PULL_SID,
  codebuildPullStatement,
  rolePullIdentityStatements,
  rolePullRepositoryStatement,
} from '../grants/pull-grants.js';
import { SECRET_DECRYPT_SID, SECRET_READ_SID, secretGrantStatements, viaSecretsManager } from '../grants/secret-grants.js';
import type { KeyGrant } from '../grants/secret-grants.js';
import type { PolicyChange, RepositoryGrants } from './types.js';
import { PlanError, PolicyRefusedError } from './types.js';

/** The Sids a change writes, and nothing else: every other statement is foreign to it. */
export function sidsWrittenBy(change: PolicyChange): string[] {
  if (change.kind === 'role-policy') return roleSids(change.repositoryArns, { secretArns: change.secretArns ?? [], keyGrants: change.keyGrants ?? [] });
  return [...(change.grants.codebuildSourceArns.length ? [CODEBUILD_PULL_SID] : []), ...(change.grants.roleArns.length ? [ROLE_PULL_SID] : [])];
}

export function holderOf(change: PolicyChange): PolicyHolder {
  return change.kind === 'role-policy' ? 'role' : 'repository';
}

function ownedOrThrow(current: string | undefined, holder: PolicyHolder, sids: readonly string[]) {
  // What JSON.parse would change (a key twice, an inexact number) is refused before ownership is judged on it.
  const refused = current === undefined || current.trim() === '' ? undefined : refusePolicyText(current);
  if (refused) throw new PolicyRefusedError(refused.predicate, refused.message);
  const owned = findOwnedStatements(current, holder, sids);
  if (!owned.ok) throw new PlanError(owned.message);
  return owned.bySid;
}

/** The merged repository policy for the given grants, on top of `current`; undefined when nothing changes. */
export function mergeRepositoryGrants(current: string | undefined, account: string, grants: RepositoryGrants): string | undefined {
  const sids = [...(grants.codebuildSourceArns.length ? [CODEBUILD_PULL_SID] : []), ...(grants.roleArns.length ? [ROLE_PULL_SID] : [])];
  const owned = ownedOrThrow(current, 'repository', sids);
  const statements: Record<string, unknown>[] = [];
  if (grants.codebuildSourceArns.length) {
    const ours = owned.get(CODEBUILD_PULL_SID);
    const ownAccount = ours?.condition?.['StringEquals']?.['aws:SourceAccount']?.[0];
    if (ours && ownAccount !== account) {
      throw new PlanError(`statement "${CODEBUILD_PULL_SID}" (#${ours.index}) was not written by ecr-doctor (its aws:SourceAccount is ${ownAccount}, not the repository's account ${account}); rename or remove it, then run fix again`);
    }
    // Parsed, so a value written as a string or a list reads the same.
    const arns = [...(ours?.condition?.['ArnLike']?.['aws:SourceArn'] ?? []), ...grants.codebuildSourceArns];
    statements.push(codebuildPullStatement(account, arns));
  }
  if (grants.roleArns.length) {
    const ours = owned.get(ROLE_PULL_SID);
    const principals = ours?.principal === '*' ? [] : (ours?.principal?.AWS ?? []);
    statements.push(rolePullRepositoryStatement([...principals, ...grants.roleArns]));
  }
  return merged(current, statements, sids);
}

export interface SecretGrants {
  secretArns: readonly string[];
  keyGrants: readonly KeyGrant[];
}

const NO_SECRETS: SecretGrants = { secretArns: [], keyGrants: [] };

/** The Sids a role change writes: the pull pair when it grants repositories, the secret pair when it grants secrets. */
function roleSids(repositoryArns: readonly string[], secrets: SecretGrants): string[] {
  return [
    ...(repositoryArns.length ? [ROLE_AUTH_TOKEN_SID, ROLE_PULL_SID] : []),
    ...(secrets.secretArns.length ? [SECRET_READ_SID] : []),
    ...(secrets.keyGrants.length ? [SECRET_DECRYPT_SID] : []),
  ];
}

/** ecr-doctor's inline role policy, widened to the given repositories (and registryCredential secrets and keys). */
export function mergeRoleGrants(current: string | undefined, repositoryArns: readonly string[], secrets: SecretGrants = NO_SECRETS): string | undefined {
  const sids = roleSids(repositoryArns, secrets);
  const owned = ownedOrThrow(current, 'role', sids);
  const statements: Record<string, unknown>[] = [];
  if (repositoryArns.length) statements.push(...rolePullIdentityStatements([...(owned.get(ROLE_PULL_SID)?.resource ?? []), ...repositoryArns]));
  if (sids.includes(SECRET_READ_SID) || sids.includes(SECRET_DECRYPT_SID)) {
    const decrypt = owned.get(SECRET_DECRYPT_SID);
    statements.push(
      ...secretGrantStatements(
        [...(owned.get(SECRET_READ_SID)?.resource ?? []), ...secrets.secretArns],
        secrets.keyGrants.length ? [...(decrypt?.resource ?? []), ...secrets.keyGrants.map((k) => k.keyArn)] : [],
        [...(decrypt?.condition?.['StringEquals']?.['kms:ViaService'] ?? []), ...secrets.keyGrants.map((k) => viaSecretsManager(k.region))],
      ),
    );
  }
  return merged(current, statements, sids);
}

function merged(current: string | undefined, statements: Record<string, unknown>[], sids: readonly string[]): string | undefined {
  const result = mergeOwnedStatements(current, statements, (sid) => sids.includes(sid));
  if (!result.ok) throw result.reason === 'too-large' ? new PlanError(result.message) : new PolicyRefusedError(result.predicate, result.message);
  return result.changed ? result.text : undefined;
}

/** "the repository policy of app", "the inline policy ecr-doctor-image-pull of role build": how messages name a change's policy. */
export function policyNameOf(change: PolicyChange): string {
  return change.kind === 'repository-policy' ? `the repository policy of ${change.repositoryName}` : `the inline policy ${change.policyName} of role ${change.roleName}`;
}

/** The merge a change stands for, onto `current` (the policy read just before writing); a refusal names the policy. */
export function mergeChange(change: PolicyChange, current: string | undefined): string | undefined {
  try {
    return change.kind === 'repository-policy'
      ? mergeRepositoryGrants(current, change.account, change.grants)
      : mergeRoleGrants(current, change.repositoryArns, { secretArns: change.secretArns ?? [], keyGrants: change.keyGrants ?? [] });
  } catch (e) {
    if (e instanceof PolicyRefusedError) throw new PolicyRefusedError(e.predicate, `${policyNameOf(change)} ${e.predicate}`);
    throw e;
  }
}
