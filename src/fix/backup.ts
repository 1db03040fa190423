import { constants } from 'node:fs';
import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Backup } from './apply.js';
import { BackupError } from './apply.js';
import type { PolicyChange } from './types.js';

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function failure(path: string, e: unknown): BackupError {
  const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new BackupError(`cannot write the backup to ${path}: ${code}`);
}

/** The folder backups go to when --backup is not given: in the user's home, never in the project being fixed. */
export function defaultBackupDir(home: string): string {
  return join(home, '.ecr-doctor', 'backups');
}

/**
 * Saves the policy being replaced before every write: to --backup FILE (then FILE.1, ...), into
 * --backup DIR when DIR is an existing folder, or to ~/.ecr-doctor/backups/<what>-<time>.json
 * (`home` is injectable for tests). A policy that did not exist is saved as such, so a restore
 * knows to delete rather than write.
 */
export function fileBackup(home: string, explicit: string | undefined, now: () => Date = () => new Date()): Backup {
  let used = 0;
  let folder: Promise<string | undefined> | undefined;
  /** The folder generated names go into, or undefined when --backup names a file. */
  const folderOf = () => (folder ??= explicit === undefined ? Promise.resolve(defaultBackupDir(home)) : isDirectory(explicit).then((d) => (d ? explicit : undefined)));

  async function fileFor(change: PolicyChange): Promise<string> {
    const dir = await folderOf();
    if (dir === undefined) return used++ === 0 ? explicit! : `${explicit}.${used - 1}`;
    const stamp = now().toISOString().replace(/[:.]/g, '-');
    const what = change.kind === 'repository-policy' ? `${change.account}-${change.region}-${change.repositoryName}` : `${change.account}-role-${change.roleName}-${change.policyName}`;
    return join(dir, `${safe(what)}-${stamp}.json`);
  }

  return {
    async check(): Promise<void> {
      const dir = (await folderOf()) ?? dirname(explicit!);
      try {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await access(dir, constants.W_OK);
      } catch (e) {
        throw failure(explicit ?? dir, e);
      }
    },
    async save(change: PolicyChange, text: string | undefined): Promise<string> {
      const file = await fileFor(change);
      const record = {
        resource: change.kind === 'repository-policy' ? change.repositoryArn : change.roleArn,
        ...(change.kind === 'role-policy' ? { policyName: change.policyName } : {}),
        savedAt: now().toISOString(),
        existed: text !== undefined,
        policyText: text ?? null,
      };
      const body = `${JSON.stringify(record, null, 2)}\n`;
      try {
        await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      } catch (e) {
        throw failure(file, e);
      }
      // Never overwrite an earlier backup: that would lose the very thing it keeps.
      for (let n = 0; ; n++) {
        const path = n === 0 ? file : `${file}.${n}`;
        try {
          await writeFile(path, body, { flag: 'wx', mode: 0o600 });
          return path;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw failure(path, e);
        }
      }
    },
  };
}
