import { canonical, parsePolicy } from '../policy/index.js';
import { holderOf, mergeChange, sidsWrittenBy } from './merge-grants.js';
import type { PolicyHolder } from './ownership.js';
import { isOwnedStatement } from './ownership.js';
import type { PolicyChange, RepositoryPolicyChange, RolePolicyChange } from './types.js';
import { PlanError } from './types.js';

/** The only writes fix makes, behind a narrow interface so apply can be tested without AWS. */
export interface PolicyStore {
  readRepositoryPolicy(c: RepositoryPolicyChange): Promise<string | undefined>;
  /** SetRepositoryPolicy, never with `force`. */
  writeRepositoryPolicy(c: RepositoryPolicyChange, text: string): Promise<void>;
  readRolePolicy(c: RolePolicyChange): Promise<string | undefined>;
  writeRolePolicy(c: RolePolicyChange, text: string): Promise<void>;
}

export interface Backup {
  /** Fails (BackupError) when the backup location cannot be written; called before the first write. */
  check(): Promise<void>;
  save(c: PolicyChange, text: string | undefined): Promise<string>;
}

/** The backup could not be written: nothing is written to AWS without one. */
export class BackupError extends Error {}

export type ApplyOutcome =
  | { status: 'applied'; change: PolicyChange; backup: string; written: string; hadPolicy: boolean }
  | { status: 'unchanged'; change: PolicyChange }
  | { status: 'failed'; change: PolicyChange; message: string; backup?: string };

export interface ApplyOptions {
  /**
   * The policy the user approved must be the one replaced: when the live policy differs from
   * `change.before`, nothing is written (interactive mode). Without it (--yes) the change is
   * merged again onto the fresh policy.
   */
  requireReviewed?: boolean;
}

function sameDocument(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return a === b;
  }
}

/**
 * Every statement of `before` that is not ecr-doctor's own (one of `ownedSids` with exactly the
 * shape ecr-doctor writes, ownership.ts) is in `after`, unchanged.
 */
export function keepsForeignStatements(before: string | undefined, after: string | undefined, ownedSids: readonly string[], holder: PolicyHolder = 'repository'): boolean {
  if (!before) return true;
  const parsed = parsePolicy(before);
  if (!parsed.ok) return false;
  const afterParsed = after ? parsePolicy(after) : undefined;
  if (afterParsed && !afterParsed.ok) return false;
  const kept = new Set(afterParsed?.policy.statements.map((s) => canonical(s.raw)) ?? []);
  return parsed.policy.statements.filter((s) => !isOwnedStatement(s, holder, ownedSids)).every((s) => kept.has(canonical(s.raw)));
}

async function read(store: PolicyStore, c: PolicyChange): Promise<string | undefined> {
  return c.kind === 'repository-policy' ? store.readRepositoryPolicy(c) : store.readRolePolicy(c);
}

async function write(store: PolicyStore, c: PolicyChange, text: string): Promise<void> {
  return c.kind === 'repository-policy' ? store.writeRepositoryPolicy(c, text) : store.writeRolePolicy(c, text);
}

/** Where the previous policy is, said the same way in every message. */
export function describeBackup(path: string, hadPolicy: boolean): string {
  return hadPolicy ? `the previous policy is saved in ${path}` : `there was no policy before (recorded in ${path})`;
}

/**
 * Re-reads just before writing (SetRepositoryPolicy has no conditional write, DOMAIN.md §4),
 * re-merges onto what is there now, backs it up, writes, and reads back to verify that every
 * statement it did not write is still there, unchanged.
 */
export async function applyChange(store: PolicyStore, backup: Backup, change: PolicyChange, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  const current = await read(store, change);
  if (options.requireReviewed && !sameDocument(current, change.before)) {
    return { status: 'failed', change, message: 'the policy changed while you were reviewing; run fix again' };
  }
  let target: string | undefined;
  try {
    target = mergeChange(change, current);
  } catch (e) {
    if (e instanceof PlanError) return { status: 'failed', change, message: `${e.message}; nothing was written` };
    throw e;
  }
  if (target === undefined) return { status: 'unchanged', change };
  const owned = sidsWrittenBy(change);
  const holder = holderOf(change);
  if (!keepsForeignStatements(current, target, owned, holder)) {
    return { status: 'failed', change, message: 'the merged policy would lose a statement ecr-doctor did not write; nothing was written' };
  }
  let saved: string;
  try {
    saved = await backup.save(change, current);
  } catch (e) {
    if (e instanceof BackupError) return { status: 'failed', change, message: `${e.message}; nothing was written` };
    throw e;
  }
  const hadPolicy = current !== undefined;
  let after: string | undefined;
  try {
    await write(store, change, target);
    after = await read(store, change);
  } catch (e) {
    // Past this point the write may have happened (a time-out after it reached ECR): say where the old policy is.
    const message = e instanceof Error ? e.message.replace(/^error: /, '') : String(e);
    return { status: 'failed', change, backup: saved, message: `${message}; the write may have been applied; ${describeBackup(saved, hadPolicy)}` };
  }
  if (after === undefined || !sameDocument(after, target)) {
    return { status: 'failed', change, backup: saved, message: `the policy read back differs from what was written (another writer?); ${describeBackup(saved, hadPolicy)}` };
  }
  if (!keepsForeignStatements(current, after, owned, holder)) {
    return { status: 'failed', change, backup: saved, message: `a statement ecr-doctor did not write is missing after the write; restore it from ${saved}` };
  }
  return { status: 'applied', change, backup: saved, written: after, hadPolicy };
}
