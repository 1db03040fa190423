import { canonical, parsePolicy } from '../policy/index.js';
import { holderOf, mergeChange, sidsWrittenBy } from './merge-grants.js';
import type { PolicyHolder } from './ownership.js';
import { isOwnedStatement } from './ownership.js';
import type { PolicyChange, PolicyLocation, RepositoryPolicyLocation, RolePolicyLocation } from './types.js';
import { PlanError } from './types.js';

/** The only writes fix and restore make, behind a narrow interface so apply can be tested without AWS. */
export interface PolicyStore {
  readRepositoryPolicy(c: RepositoryPolicyLocation): Promise<string | undefined>;
  /** SetRepositoryPolicy, never with `force`. */
  writeRepositoryPolicy(c: RepositoryPolicyLocation, text: string): Promise<void>;
  /** DeleteRepositoryPolicy: restore of a backup that recorded "no policy before". */
  deleteRepositoryPolicy(c: RepositoryPolicyLocation): Promise<void>;
  readRolePolicy(c: RolePolicyLocation): Promise<string | undefined>;
  writeRolePolicy(c: RolePolicyLocation, text: string): Promise<void>;
  deleteRolePolicy(c: RolePolicyLocation): Promise<void>;
}

export interface Backup {
  /** Fails (BackupError) when the backup location cannot be written; called before the first write. */
  check(): Promise<void>;
  /** Saves `before` (undefined: there was no policy) and what is about to be written (null: a delete; left out: unknown). */
  save(c: PolicyLocation, before: string | undefined, writing?: string | null): Promise<string>;
}

/** The backup could not be written: nothing is written to AWS without one. `usage`: the --backup path itself is wrong. */
export class BackupError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/** AWS answered the write with an error (AccessDenied, a bad request): nothing was written. */
export class WriteRejectedError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export type ApplyOutcome =
  | { status: 'applied'; change: PolicyChange; backup: string; written: string; hadPolicy: boolean }
  | { status: 'unchanged'; change: PolicyChange }
  | { status: 'failed'; change: PolicyChange; message: string; hint?: string; backup?: string };

export interface ApplyOptions {
  /**
   * The policy the user approved must be the one replaced: when the live policy differs from
   * `change.before`, nothing is written (interactive mode). Without it (--yes) the change is
   * merged again onto the fresh policy.
   */
  requireReviewed?: boolean;
}

/** Equal as policies: the same text, or the same JSON up to key order and whitespace. */
export function sameDocument(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a === b) return true;
  try {
    return canonical(JSON.parse(a)) === canonical(JSON.parse(b));
  } catch {
    return false;
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

export async function readPolicy(store: PolicyStore, c: PolicyLocation): Promise<string | undefined> {
  return c.kind === 'repository-policy' ? store.readRepositoryPolicy(c) : store.readRolePolicy(c);
}

/** Writes `text`, or deletes the policy when `text` is undefined. */
export async function writePolicy(store: PolicyStore, c: PolicyLocation, text: string | undefined): Promise<void> {
  if (text === undefined) return c.kind === 'repository-policy' ? store.deleteRepositoryPolicy(c) : store.deleteRolePolicy(c);
  return c.kind === 'repository-policy' ? store.writeRepositoryPolicy(c, text) : store.writeRolePolicy(c, text);
}

/** Where the previous policy is, said the same way in every message. */
export function describeBackup(path: string, hadPolicy: boolean): string {
  return hadPolicy ? `the previous policy is saved in ${path}` : `there was no policy before (recorded in ${path})`;
}

/** What ECR and IAM cannot promise, said in fix's output and the README. */
export const NO_CONDITIONAL_WRITE =
  'a change made by someone else in the same second can be overwritten: ECR and IAM have no conditional write; run fix where nothing else writes the policy (not while Terraform applies, for example)';

/** How many times the prepared write is redone when the policy changes between the two reads. */
const PREPARE_ATTEMPTS = 3;

export type WriteStep = { status: 'written'; after: string | undefined } | { status: 'failed'; message: string; hint?: string };

/**
 * The write and its verification, shared by fix and restore: write (or delete), then read back.
 * AWS answering with an error means nothing was written; anything else (a time-out, a dropped
 * connection) may or may not have reached it, and the message says so with the backup.
 */
export async function writeAndReadBack(store: PolicyStore, c: PolicyLocation, text: string | undefined, backupNote: string): Promise<WriteStep> {
  try {
    await writePolicy(store, c, text);
  } catch (e) {
    if (e instanceof WriteRejectedError) return { status: 'failed', message: `${e.message}; nothing was written`, ...(e.hint ? { hint: e.hint } : {}) };
    const message = e instanceof Error ? e.message.replace(/^error: /, '') : String(e);
    return { status: 'failed', message: `${message}; the write may or may not have been applied; ${backupNote}` };
  }
  try {
    return { status: 'written', after: await readPolicy(store, c) };
  } catch (e) {
    const message = e instanceof Error ? e.message.replace(/^error: /, '') : String(e);
    return { status: 'failed', message: `written, but it could not be read back to verify (${message}); ${backupNote}` };
  }
}

/** A read that could not be done is a failed outcome ("nothing was written"), not an exception. */
export async function readOrFail(store: PolicyStore, c: PolicyLocation): Promise<{ ok: true; text: string | undefined } | { ok: false; message: string }> {
  try {
    return { ok: true, text: await readPolicy(store, c) };
  } catch (e) {
    return { ok: false, message: `${e instanceof Error ? e.message.replace(/^error: /, '') : String(e)}; nothing was written` };
  }
}

/**
 * Prepares the write (read, merge, check, back up), then reads once more and writes at once if
 * nothing changed meanwhile: between that last read and the write there is only a comparison,
 * one round trip of exposure, since SetRepositoryPolicy and PutRolePolicy have no conditional
 * write (DOMAIN.md §4). Reads back to verify that every statement it did not write is still there.
 */
export async function applyChange(store: PolicyStore, backup: Backup, change: PolicyChange, options: ApplyOptions = {}): Promise<ApplyOutcome> {
  const owned = sidsWrittenBy(change);
  const holder = holderOf(change);
  for (let attempt = 1; ; attempt++) {
    const first = await readOrFail(store, change);
    if (!first.ok) return { status: 'failed', change, message: first.message };
    const current = first.text;
    if (options.requireReviewed && !sameDocument(current, change.before)) {
      return { status: 'failed', change, message: 'the policy changed while you were reviewing; nothing was written; run fix again' };
    }
    let target: string | undefined;
    try {
      target = mergeChange(change, current);
    } catch (e) {
      if (e instanceof PlanError) return { status: 'failed', change, message: `${e.message}; nothing was written` };
      throw e;
    }
    if (target === undefined) return { status: 'unchanged', change };
    if (!keepsForeignStatements(current, target, owned, holder)) {
      return { status: 'failed', change, message: 'the merged policy would lose a statement ecr-doctor did not write; nothing was written' };
    }
    let saved: string;
    try {
      saved = await backup.save(change, current, target);
    } catch (e) {
      if (e instanceof BackupError) return { status: 'failed', change, message: `${e.message}; nothing was written` };
      throw e;
    }
    const hadPolicy = current !== undefined;
    const note = describeBackup(saved, hadPolicy);
    // The last read before the write; nothing else happens between the two.
    const fresh = await readOrFail(store, change);
    if (!fresh.ok) return { status: 'failed', change, message: `${fresh.message}; ${note}` };
    if (fresh.text !== current) {
      if (attempt < PREPARE_ATTEMPTS && !options.requireReviewed) continue;
      return { status: 'failed', change, message: 'the policy kept changing while fix prepared the write (another writer?); nothing was written; run fix again when nothing else writes it' };
    }
    const step = await writeAndReadBack(store, change, target, note);
    if (step.status === 'failed') return { status: 'failed', change, backup: saved, message: step.message, ...(step.hint ? { hint: step.hint } : {}) };
    const after = step.after;
    if (after === undefined || !sameDocument(after, target)) {
      return { status: 'failed', change, backup: saved, message: `the policy read back differs from what was written (another writer?); ${note}` };
    }
    if (!keepsForeignStatements(current, after, owned, holder)) {
      return { status: 'failed', change, backup: saved, message: `a statement ecr-doctor did not write is missing after the write; restore it from ${saved}` };
    }
    return { status: 'applied', change, backup: saved, written: after, hadPolicy };
  }
}
