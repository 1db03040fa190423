import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Backup } from './apply.js';
import type { PolicyChange } from './plan.js';

function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Saves the policy being replaced before every write: to --backup FILE, or to
 * .ecr-doctor/backups/<what>-<time>.json under the current folder. A policy that did not exist
 * is saved as such, so a restore knows to delete rather than write.
 */
export function fileBackup(cwd: string, explicit: string | undefined, now: () => Date = () => new Date()): Backup {
  let used = 0;
  return {
    async save(change: PolicyChange, text: string | undefined): Promise<string> {
      const stamp = now().toISOString().replace(/[:.]/g, '-');
      const what = change.kind === 'repository-policy' ? `${change.account}-${change.region}-${change.repositoryName}` : `${change.account}-role-${change.roleName}-${change.policyName}`;
      const file = explicit ? (used++ === 0 ? explicit : `${explicit}.${used}`) : join(cwd, '.ecr-doctor', 'backups', `${safe(what)}-${stamp}.json`);
      await mkdir(dirname(file), { recursive: true });
      const record = {
        resource: change.kind === 'repository-policy' ? change.repositoryArn : change.roleArn,
        ...(change.kind === 'role-policy' ? { policyName: change.policyName } : {}),
        savedAt: now().toISOString(),
        existed: text !== undefined,
        policyText: text ?? null,
      };
      const body = `${JSON.stringify(record, null, 2)}\n`;
      // Never overwrite an earlier backup: that would lose the very thing it keeps.
      for (let n = 0; ; n++) {
        const path = n === 0 ? file : `${file}.${n}`;
        try {
          await writeFile(path, body, { flag: 'wx' });
          return path;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        }
      }
    },
  };
}
