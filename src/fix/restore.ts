/**
 * `restore`: puts back the policy a backup holds (or deletes the policy when the backup
 * recorded none), with fix's care: re-read, back up what it replaces, one more read right
 * before the write, read back to verify. It refuses when the live policy is no longer what fix
 * wrote (someone changed it since), unless told to overwrite that change.
 */
import { createTwoFilesPatch } from 'diff';
import type { Backup, PolicyStore } from './apply.js';
import { BackupError, describeBackup, readOrFail, sameDocument, writeAndReadBack } from './apply.js';
import type { BackupContents } from './backup-record.js';
import type { PolicyLocation } from './types.js';

export interface RestorePlan {
  contents: BackupContents;
  live: string | undefined;
  /** What restore writes; undefined: it deletes the policy. */
  target: string | undefined;
  /** The live policy is not what fix wrote; 'unknown' when the backup does not record it (format 1). */
  changedSince: boolean | 'unknown';
  /** The live policy already is the backed-up one. */
  nothingToDo: boolean;
}

export function policyNameAt(c: PolicyLocation): string {
  return c.kind === 'repository-policy' ? `the repository policy of ${c.repositoryName} (account ${c.account}, ${c.region})` : `the inline policy ${c.policyName} of role ${c.roleName} (account ${c.account})`;
}

export function planRestore(contents: BackupContents, live: string | undefined): RestorePlan {
  const target = contents.before;
  const changedSince = contents.written === undefined ? 'unknown' : !sameDocument(live, contents.written ?? undefined);
  return { contents, live, target, changedSince, nothingToDo: sameDocument(live, target) };
}

/** One line: what restore does, or would do. */
export function describeRestore(plan: RestorePlan, would: boolean): string {
  const where = policyNameAt(plan.contents.location);
  const verb = plan.target === undefined ? `${would ? 'would delete' : 'deleted'} ${where}` : `${would ? 'would restore' : 'restored'} ${where}`;
  return plan.target === undefined ? `${verb} (there was none at ${plan.contents.savedAt})` : `${verb} to the policy saved at ${plan.contents.savedAt}`;
}

/** Pretty-printed when it parses, so that a one-line policy still diffs line by line. */
function forReview(text: string | undefined): string {
  if (text === undefined) return '';
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text.endsWith('\n') ? text : `${text}\n`;
  }
}

/** A unified diff from the live policy to what restore writes (pretty-printed for review). */
export function restoreDiff(plan: RestorePlan, backupPath: string): string {
  const to = plan.target === undefined ? '(no policy)' : `${backupPath} (saved ${plan.contents.savedAt})`;
  return createTwoFilesPatch(plan.live === undefined ? '(no policy)' : 'live policy', to, forReview(plan.live), forReview(plan.target), '', '', { context: 3 });
}

export type RestoreOutcome = { status: 'restored'; backup: string; hadPolicy: boolean } | { status: 'failed'; message: string; hint?: string; backup?: string };

/** Writes the plan: the live policy must still be what was shown; the replaced policy is backed up first. */
export async function applyRestore(store: PolicyStore, backup: Backup, plan: RestorePlan): Promise<RestoreOutcome> {
  const c = plan.contents.location;
  const first = await readOrFail(store, c);
  if (!first.ok) return { status: 'failed', message: first.message };
  if (first.text !== plan.live) return { status: 'failed', message: 'the policy changed since it was read (another writer?); nothing was written; run restore again' };
  let saved: string;
  try {
    saved = await backup.save(c, first.text, plan.target ?? null);
  } catch (e) {
    if (e instanceof BackupError) return { status: 'failed', message: `${e.message}; nothing was written` };
    throw e;
  }
  const note = describeBackup(saved, first.text !== undefined);
  // The last read before the write, with nothing else in between (no conditional write, DOMAIN.md §4).
  const fresh = await readOrFail(store, c);
  if (!fresh.ok) return { status: 'failed', message: `${fresh.message}; ${note}` };
  if (fresh.text !== plan.live) return { status: 'failed', message: `the policy changed while restore prepared the write (another writer?); nothing was written; ${note}` };
  const step = await writeAndReadBack(store, c, plan.target, note);
  if (step.status === 'failed') return { status: 'failed', backup: saved, message: step.message, ...(step.hint ? { hint: step.hint } : {}) };
  if (!sameDocument(step.after, plan.target)) return { status: 'failed', backup: saved, message: `the policy read back differs from what was restored (another writer?); ${note}` };
  return { status: 'restored', backup: saved, hadPolicy: first.text !== undefined };
}

/** The command that undoes a write, printed after every write. */
export function restoreCommand(path: string): string {
  const quoted = /^[A-Za-z0-9_./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
  return `ecr-doctor restore ${quoted} --yes`;
}
