import type { IAMClient } from '@aws-sdk/client-iam';
import {
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { NamedPolicy, RoleFacts } from '../../model/facts.js';
import { roleNameOf } from '../../model/arn.js';
import { isNamed, unreadableFrom } from './aws-errors.js';

export { roleNameOf };

/** IAM returns policy documents URL-encoded (moto's GetPolicyVersion does not): decode only when needed. */
export function decodePolicyDocument(doc: string): string {
  const trimmed = doc.trimStart();
  if (trimmed.startsWith('{')) return doc;
  try {
    return decodeURIComponent(doc);
  } catch {
    return doc;
  }
}

async function pages<T>(fetchPage: (marker?: string) => Promise<{ items: T[]; marker?: string }>): Promise<T[]> {
  const all: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetchPage(marker);
    all.push(...page.items);
    marker = page.marker;
  } while (marker);
  return all;
}

/** A failed managed-policy read, carrying the permission it needed. */
class ManagedPolicyError extends Error {
  constructor(
    readonly permission: string,
    override readonly cause: unknown,
  ) {
    super(permission);
  }
}

export type ManagedPolicyCache = Map<string, Promise<NamedPolicy>>;

/** GetPolicy then GetPolicyVersion at the default version; one read per policy ARN however many roles attach it. */
export function readManagedPolicy(client: IAMClient, cache: ManagedPolicyCache, arn: string): Promise<NamedPolicy> {
  let pending = cache.get(arn);
  if (!pending) {
    pending = (async () => {
      const policy = (await client.send(new GetPolicyCommand({ PolicyArn: arn })).catch((e: unknown) => {
        throw new ManagedPolicyError('iam:GetPolicy', e);
      })).Policy;
      const version = await client.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy?.DefaultVersionId ?? 'v1' })).catch((e: unknown) => {
        throw new ManagedPolicyError('iam:GetPolicyVersion', e);
      });
      return { name: policy?.PolicyName ?? arn.split('/').at(-1) ?? arn, arn, document: decodePolicyDocument(version.PolicyVersion?.Document ?? '{}') };
    })();
    cache.set(arn, pending);
  }
  return pending;
}

export function managedPolicyFact<T>(e: unknown): Fact<T> {
  return e instanceof ManagedPolicyError ? unreadableFrom(e.cause, e.permission) : unreadableFrom(e, 'iam:GetPolicy');
}

/**
 * Policies in one order whatever order IAM lists them in (ListAttachedRolePolicies and
 * GetAccountAuthorizationDetails order them differently, and neither documents an order): by
 * ARN, then name, so the per-role and the account-wide reads give the same Facts.
 */
export function sortPolicies(policies: NamedPolicy[]): NamedPolicy[] {
  const key = (p: NamedPolicy) => `${p.arn ?? ''}\u0000${p.name}`;
  return [...policies].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function readInline(client: IAMClient, roleName: string): Promise<Fact<NamedPolicy[]>> {
  let names: string[];
  try {
    names = await pages(async (Marker) => {
      const out = await client.send(new ListRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }));
      return { items: out.PolicyNames ?? [], ...(out.IsTruncated && out.Marker ? { marker: out.Marker } : {}) };
    });
  } catch (e) {
    return isNamed(e, 'NoSuchEntity', 'NoSuchEntityException') ? absent() : unreadableFrom(e, 'iam:ListRolePolicies');
  }
  try {
    const docs = await Promise.all(
      names.map(async (PolicyName) => {
        const out = await client.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName }));
        return { name: PolicyName, document: decodePolicyDocument(out.PolicyDocument ?? '{}') };
      }),
    );
    return present(sortPolicies(docs));
  } catch (e) {
    return unreadableFrom(e, 'iam:GetRolePolicy');
  }
}

async function readAttached(client: IAMClient, cache: ManagedPolicyCache, roleName: string): Promise<Fact<NamedPolicy[]>> {
  let arns: string[];
  try {
    arns = await pages(async (Marker) => {
      const out = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }));
      return { items: (out.AttachedPolicies ?? []).map((p) => p.PolicyArn ?? '').filter(Boolean), ...(out.IsTruncated && out.Marker ? { marker: out.Marker } : {}) };
    });
  } catch (e) {
    return isNamed(e, 'NoSuchEntity', 'NoSuchEntityException') ? absent() : unreadableFrom(e, 'iam:ListAttachedRolePolicies');
  }
  try {
    return present(sortPolicies(await Promise.all(arns.map((arn) => readManagedPolicy(client, cache, arn)))));
  } catch (e) {
    return managedPolicyFact(e);
  }
}

/**
 * The role, its inline and attached policies and its boundary. GetRole and both listings go
 * out together; the boundary is read once GetRole has named it. `cache` shares managed-policy
 * reads between roles of one run.
 */
export async function readRole(client: IAMClient, roleArn: string, cache: ManagedPolicyCache = new Map()): Promise<RoleFacts> {
  const roleName = roleNameOf(roleArn);
  const rolePromise = client.send(new GetRoleCommand({ RoleName: roleName })).then(
    (out) => ({ ok: true as const, role: out.Role }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const [got, inlinePolicies, attachedPolicies] = await Promise.all([rolePromise, readInline(client, roleName), readAttached(client, cache, roleName)]);
  if (!got.ok) {
    if (isNamed(got.error, 'NoSuchEntity', 'NoSuchEntityException')) {
      return { arn: roleArn, role: absent(), inlinePolicies: absent(), attachedPolicies: absent(), permissionsBoundary: absent() };
    }
    const fact = unreadableFrom<never>(got.error, 'iam:GetRole');
    return { arn: roleArn, role: fact, inlinePolicies, attachedPolicies, permissionsBoundary: fact };
  }
  const boundaryArn = got.role?.PermissionsBoundary?.PermissionsBoundaryArn;
  let permissionsBoundary: Fact<NamedPolicy> = absent();
  if (boundaryArn) {
    try {
      permissionsBoundary = present(await readManagedPolicy(client, cache, boundaryArn));
    } catch (e) {
      permissionsBoundary = managedPolicyFact(e);
    }
  }
  return {
    arn: roleArn,
    role: present({ name: got.role?.RoleName ?? roleName, path: got.role?.Path ?? '/', ...(boundaryArn ? { permissionsBoundaryArn: boundaryArn } : {}) }),
    inlinePolicies,
    attachedPolicies,
    permissionsBoundary,
  };
}

