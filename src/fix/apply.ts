import { canonical, parsePolicy } from '../policy/index.js';
import type { PolicyChange, RepositoryPolicyChange, RolePolicyChange } from './plan.js';
import { mergeRepositoryGrants, mergeRoleGrants } from './plan.js';

/** The only writes fix makes, behind a narrow interface so apply can be tested without AWS. */
export interface PolicyStore {
  readRepositoryPolicy(c: RepositoryPolicyChange): Promise<string | undefined>;
  /** SetRepositoryPolicy, never with `force`. */
  writeRepositoryPolicy(c: RepositoryPolicyChange, text: string): Promise<void>;
  readRolePolicy(c: RolePolicyChange): Promise<string | undefined>;
  writeRolePolicy(c: RolePolicyChange, text: string): Promise<void>;
}

export interface Backup {
  save(c: PolicyChange, text: string | undefined): Promise<string>;
}

export type ApplyOutcome =
  | { status: 'applied'; change: PolicyChange; backup: string; written: string }
  | { status: 'unchanged'; change: PolicyChange }
  | { status: 'failed'; change: PolicyChange; message: string; backup?: string };

function statementsOf(text: string | undefined): string[] {
  if (!text) return [];
  const parsed = parsePolicy(text);
  return parsed.ok ? parsed.policy.statements.map((s) => canonical(s.raw)) : [];
}

/** Every statement of `before` that ecr-doctor did not write is in `after`, unchanged. */
export function keepsForeignStatements(before: string | undefined, after: string | undefined, ownedSids: readonly string[]): boolean {
  const kept = new Set(statementsOf(after));
  if (!before) return true;
  const parsed = parsePolicy(before);
  if (!parsed.ok) return false;
  return parsed.policy.statements.filter((s) => !s.sid || !ownedSids.includes(s.sid)).every((s) => kept.has(canonical(s.raw)));
}

function ownedSidsOf(text: string): string[] {
  const parsed = parsePolicy(text);
  return parsed.ok ? parsed.policy.statements.map((s) => s.sid).filter((s): s is string => !!s && s.startsWith('EcrDoctor')) : [];
}

async function read(store: PolicyStore, c: PolicyChange): Promise<string | undefined> {
  return c.kind === 'repository-policy' ? store.readRepositoryPolicy(c) : store.readRolePolicy(c);
}

async function write(store: PolicyStore, c: PolicyChange, text: string): Promise<void> {
  return c.kind === 'repository-policy' ? store.writeRepositoryPolicy(c, text) : store.writeRolePolicy(c, text);
}

/**
 * Re-reads just before writing (SetRepositoryPolicy has no conditional write, DOMAIN.md §4),
 * re-merges onto what is there now, backs it up, writes, and reads back to verify that every
 * statement it did not write is still there, unchanged.
 */
export async function applyChange(store: PolicyStore, backup: Backup, change: PolicyChange): Promise<ApplyOutcome> {
  const current = await read(store, change);
  const target = change.kind === 'repository-policy' ? mergeRepositoryGrants(current, change.account, change.grants) : mergeRoleGrants(current, change.repositoryArns);
  if (target === undefined) return { status: 'unchanged', change };
  const owned = ownedSidsOf(target);
  if (!keepsForeignStatements(current, target, owned)) {
    return { status: 'failed', change, message: 'the merged policy would lose a statement ecr-doctor did not write; nothing was written' };
  }
  const saved = await backup.save(change, current);
  await write(store, change, target);
  const after = await read(store, change);
  if (after === undefined || canonical(JSON.parse(after)) !== canonical(JSON.parse(target))) {
    return { status: 'failed', change, backup: saved, message: `the policy read back differs from what was written (another writer?); the previous policy is saved in ${saved}` };
  }
  if (!keepsForeignStatements(current, after, owned)) {
    return { status: 'failed', change, backup: saved, message: `a statement ecr-doctor did not write is missing after the write; restore it from ${saved}` };
  }
  return { status: 'applied', change, backup: saved, written: after };
}
