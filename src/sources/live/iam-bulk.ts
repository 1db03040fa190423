import type { IAMClient, ManagedPolicyDetail, RoleDetail } from '@aws-sdk/client-iam';
import { GetAccountAuthorizationDetailsCommand } from '@aws-sdk/client-iam';
import type { Fact } from '../../model/fact.js';
import { absent, present, unreadable } from '../../model/fact.js';
import type { NamedPolicy, RoleFacts } from '../../model/facts.js';
import { parseArn, roleNameOf } from '../../model/arn.js';
import { errorName, unreadableFrom } from './aws-errors.js';
import type { ManagedPolicyCache } from './iam.js';
import { decodePolicyDocument, managedPolicyFact, readManagedPolicy, readRole, sortPolicies } from './iam.js';
import { mapLimited } from './limit.js';

/**
 * More roles than this in the caller's account: one account-wide GetAccountAuthorizationDetails
 * instead of the per-role reads. Per role those cost at least 3 calls (GetRole,
 * ListRolePolicies, ListAttachedRolePolicies) plus one per inline policy and two per managed
 * policy; from 4 roles on (12+ calls) the account-wide read is fewer calls for any account up to
 * a few thousand roles and policies (1,000 items a page). With 3 or fewer the per-role reads stay:
 * they fetch only what the run needs and work with the narrower per-role permissions.
 */
export const BULK_ROLE_THRESHOLD = 3;

/** GetAccountAuthorizationDetails MaxItems: 1 to 1000 (IAM API Reference); the default is 100. */
const PAGE_SIZE = 1000;
const CONCURRENCY = 8;

interface AccountDetails {
  roles: Map<string, RoleDetail>;
  policies: Map<string, ManagedPolicyDetail>;
}

/**
 * The account's roles and customer managed policies, every page (Marker while IsTruncated).
 * AWS managed policies (arn:aws:iam::aws:policy/...) are not asked for: the AWSManagedPolicy
 * filter returns all ~1,300 of them with every version (several pages, megabytes), where a run
 * attaches a handful, read once each with GetPolicy and GetPolicyVersion.
 */
async function readAccountDetails(client: IAMClient): Promise<AccountDetails> {
  const roles = new Map<string, RoleDetail>();
  const policies = new Map<string, ManagedPolicyDetail>();
  let marker: string | undefined;
  do {
    const out = await client.send(new GetAccountAuthorizationDetailsCommand({ Filter: ['Role', 'LocalManagedPolicy'], MaxItems: PAGE_SIZE, ...(marker ? { Marker: marker } : {}) }));
    for (const r of out.RoleDetailList ?? []) if (r.RoleName) roles.set(r.RoleName, r);
    for (const p of out.Policies ?? []) if (p.Arn) policies.set(p.Arn, p);
    marker = out.IsTruncated ? out.Marker : undefined;
  } while (marker);
  return { roles, policies };
}

/** A customer managed policy's default version, as readManagedPolicy would have read it. */
function namedPolicyOf(p: ManagedPolicyDetail): NamedPolicy | undefined {
  const version = p.PolicyVersionList?.find((v) => v.IsDefaultVersion) ?? p.PolicyVersionList?.find((v) => v.VersionId === p.DefaultVersionId);
  if (!p.Arn || !version) return undefined;
  return { name: p.PolicyName ?? p.Arn.split('/').at(-1) ?? p.Arn, arn: p.Arn, document: decodePolicyDocument(version.Document ?? '{}') };
}

async function managedPolicies(client: IAMClient, cache: ManagedPolicyCache, arns: string[]): Promise<Fact<NamedPolicy[]>> {
  try {
    return present(sortPolicies(await Promise.all(arns.map((arn) => readManagedPolicy(client, cache, arn)))));
  } catch (e) {
    return managedPolicyFact(e);
  }
}

/** The same RoleFacts readRole gives, from the role's entry in the account details. */
async function roleFactsOf(client: IAMClient, cache: ManagedPolicyCache, arn: string, detail: RoleDetail | undefined): Promise<RoleFacts> {
  const name = roleNameOf(arn);
  if (!detail) return { arn, role: absent(), inlinePolicies: absent(), attachedPolicies: absent(), permissionsBoundary: absent() };
  const boundaryArn = detail.PermissionsBoundary?.PermissionsBoundaryArn;
  // Customer managed policies are in the cache already; AWS managed ones (and a boundary ARN the
  // account does not hold) are read once each, per policy, exactly as readRole reads them.
  const [attachedPolicies, boundary] = await Promise.all([
    managedPolicies(client, cache, (detail.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn ?? '').filter(Boolean)),
    boundaryArn ? managedPolicies(client, cache, [boundaryArn]) : Promise.resolve(undefined),
  ]);
  const permissionsBoundary: Fact<NamedPolicy> = !boundary ? absent() : boundary.state === 'present' ? present(boundary.value[0]!) : (boundary as Fact<never>);
  return {
    arn,
    role: present({ name: detail.RoleName ?? name, path: detail.Path ?? '/', ...(boundaryArn ? { permissionsBoundaryArn: boundaryArn } : {}) }),
    // RolePolicyList documents are URL-encoded like GetRolePolicy's (DOMAIN.md §4).
    inlinePolicies: present(sortPolicies((detail.RolePolicyList ?? []).map((p) => ({ name: p.PolicyName ?? '', document: decodePolicyDocument(p.PolicyDocument ?? '{}') })))),
    attachedPolicies,
    permissionsBoundary,
  };
}

export interface ReadRolesOptions {
  /** --verbose: why the account-wide read was not used. */
  warn?: (line: string) => void;
  threshold?: number;
}

/**
 * Every role of the run, each read once: another account's role is unreadable (ecr-doctor runs
 * as one account); the caller's account's roles come from one account-wide read when there are
 * more than BULK_ROLE_THRESHOLD of them, else (or when that read is refused) role by role.
 */
export async function readRoles(client: IAMClient, roleArns: readonly string[], callerAccount: Promise<string>, cache: ManagedPolicyCache, options: ReadRolesOptions = {}): Promise<RoleFacts[]> {
  const arns = [...new Set(roleArns)];
  if (arns.length === 0) return [];
  const account = await callerAccount;
  const own = arns.filter((arn) => (parseArn(arn)?.account ?? account) === account);
  let details: AccountDetails | undefined;
  if (own.length > (options.threshold ?? BULK_ROLE_THRESHOLD)) {
    try {
      details = await readAccountDetails(client);
    } catch (e) {
      // Never an all-clear: without the account-wide read the roles are read one by one, and
      // whatever those cannot read is unreadable as usual.
      const fact = unreadableFrom<never>(e, 'iam:GetAccountAuthorizationDetails');
      options.warn?.(`${fact.state === 'unreadable' ? fact.reason : errorName(e)}: reading the ${own.length} roles one by one instead (iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies)`);
    }
  }
  if (details) {
    for (const p of details.policies.values()) {
      const named = namedPolicyOf(p);
      if (named && p.Arn && !cache.has(p.Arn)) cache.set(p.Arn, Promise.resolve(named));
    }
  }
  return mapLimited(arns, CONCURRENCY, async (arn): Promise<RoleFacts> => {
    const roleAccount = parseArn(arn)?.account;
    if (roleAccount && roleAccount !== account) {
      const fact = unreadable<never>(`the role is in account ${roleAccount}; ecr-doctor runs as account ${account}`);
      return { arn, role: fact, inlinePolicies: fact, attachedPolicies: fact, permissionsBoundary: fact };
    }
    return details ? roleFactsOf(client, cache, arn, details.roles.get(roleNameOf(arn))) : readRole(client, arn, cache);
  });
}
