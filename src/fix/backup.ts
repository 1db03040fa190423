import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Backup } from './apply.js';
import { BackupError } from './apply.js';
import { backupRecord } from './backup-record.js';
import type { PolicyLocation } from './types.js';

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

type Kind = 'missing' | 'directory' | 'file' | 'other' | 'parent-is-file';

/** What is at `path`: ENOTDIR from stat means a parent is a file, not a folder. */
async function kindOf(path: string): Promise<Kind> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : s.isFile() ? 'file' : 'other';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'parent-is-file' : 'missing';
  }
}

/** The nearest existing ancestor of `path` that is not a folder, if any: "a parent of X, Y, is a file". */
async function fileAmongParents(path: string): Promise<string | undefined> {
  for (let p = dirname(path); p !== dirname(p); p = dirname(p)) {
    const k = await kindOf(p);
    if (k === 'file' || k === 'other') return p;
    if (k === 'directory') return undefined;
  }
  return undefined;
}

/** File-system failures in words, never a raw EEXIST/ENOENT/ENOTDIR. */
async function failure(path: string, e: unknown): Promise<BackupError> {
  const code = (e as NodeJS.ErrnoException).code;
  const parent = code === 'ENOTDIR' || code === 'EEXIST' || code === 'ENOENT' ? await fileAmongParents(path) : undefined;
  const why = parent
    ? `${parent} is a file, not a folder`
    : code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOSPC'
          ? 'no space left on the device'
          : code === 'EISDIR'
            ? 'it is a folder'
            : `the file system refused (${code ?? (e as Error).message})`;
  return new BackupError(`cannot write the backup to ${path}: ${why}`, !!parent);
}

/** The folder backups go to when --backup is not given: in the user's home, never in the project being fixed. */
export function defaultBackupDir(home: string): string {
  return join(home, '.ecr-doctor', 'backups');
}

/**
 * Saves the policy being replaced before every write: to --backup FILE (then FILE.1, ...), into
 * --backup DIR when DIR is an existing folder, or to ~/.ecr-doctor/backups/<what>-<time>.json
 * (`home` is injectable for tests). A policy that did not exist is saved as such, so a restore
 * knows to delete rather than write. --backup naming a device, a FIFO or a socket is refused
 * (BackupError with `usage`): `--backup /dev/null` must not write /dev/null.1.
 */
export function fileBackup(home: string, explicit: string | undefined, now: () => Date = () => new Date(), extra: { profile?: string } = {}): Backup {
  let used = 0;
  let folder: Promise<string | undefined> | undefined;
  /** The folder generated names go into, or undefined when --backup names a file. */
  const folderOf = () => (folder ??= explicit === undefined ? Promise.resolve(defaultBackupDir(home)) : kindOf(explicit).then((k) => (k === 'directory' ? explicit : undefined)));

  async function fileFor(c: PolicyLocation): Promise<string> {
    const dir = await folderOf();
    if (dir === undefined) return used++ === 0 ? explicit! : `${explicit}.${used - 1}`;
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    const what = c.kind === 'repository-policy' ? `${c.account}-${c.region}-${c.repositoryName}` : `${c.account}-role-${c.roleName}-${c.policyName}`;
    return join(dir, `${safe(what)}-${stamp}.json`);
  }

  async function refuseOdd(path: string): Promise<void> {
    const k = await kindOf(path);
    if (k === 'other') throw new BackupError(`--backup ${path} is not a regular file or a folder (a device, a pipe or a socket); the backup must be a file ecr-doctor can keep`, true);
    if (k === 'parent-is-file') throw await failure(path, Object.assign(new Error('ENOTDIR'), { code: 'ENOTDIR' }));
  }

  return {
    async check(): Promise<void> {
      if (explicit !== undefined) await refuseOdd(explicit);
      const dir = (await folderOf()) ?? dirname(explicit!);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await access(dir, constants.W_OK);
      } catch (e) {
        throw await failure(explicit ?? dir, e);
      }
    },
    async save(c: PolicyLocation, text: string | undefined, writing?: string | null): Promise<string> {
      const file = await fileFor(c);
      const body = `${JSON.stringify(backupRecord(c, text, writing, now(), extra.profile), null, 2)}\n`;
      try {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      } catch (e) {
        throw await failure(file, e);
      }
      // Never overwrite an earlier backup: that would lose the very thing it keeps.
      for (let n = 0; ; n++) {
        const path = n === 0 ? file : `${file}.${n}`;
        await refuseOdd(path);
        try {
          await writeFile(path, body, { flag: 'wx', mode: 0o600 });
          return path;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw await failure(path, e);
        }
      }
    },
  };
}
