/** restore's pure parts and its write order, with a store that records every call (issue 14, "Undo and review"). */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backup, PolicyStore } from '../../src/fix/apply.js';
import { backupRecord, readBackupFile } from '../../src/fix/backup-record.js';
import { applyRestore, planRestore, restoreCommand, restoreDiff } from '../../src/fix/restore.js';
import type { RepositoryPolicyLocation } from '../../src/fix/types.js';
import { UsageError } from '../../src/model/errors.js';

const repo: RepositoryPolicyLocation = { kind: 'repository-policy', repositoryArn: 'arn:aws:ecr:eu-west-1:111122223333:repository/team/app', repositoryName: 'team/app', registryId: '111122223333', region: 'eu-west-1', account: '111122223333' };
const BEFORE = '{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"}]}';
const WRITTEN = '{"Version":"2012-10-17","Statement":[{"Sid":"Theirs","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage"},{"Sid":"EcrDoctorCodeBuildPull"}]}';

async function fileWith(body: unknown): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'ecr-doctor-restore-')), 'b.json');
  await writeFile(path, typeof body === 'string' ? body : JSON.stringify(body));
  return path;
}

function recordingStore(live: string | undefined, hooks: { onRead?: (n: number) => string | undefined } = {}) {
  const calls: string[] = [];
  let text = live;
  let reads = 0;
  const store: PolicyStore = {
    async readRepositoryPolicy() {
      calls.push('read');
      const other = hooks.onRead?.(reads++);
      if (other !== undefined) text = other;
      return text;
    },
    async writeRepositoryPolicy(_c, t) {
      calls.push('write');
      text = t;
    },
    async deleteRepositoryPolicy() {
      calls.push('delete');
      text = undefined;
    },
    readRolePolicy: async () => undefined,
    writeRolePolicy: async () => {},
    deleteRolePolicy: async () => {},
  };
  const backup: Backup = { check: async () => {}, save: async () => (calls.push('backup'), '/tmp/restore-backup.json') };
  return { store, backup, calls, current: () => text };
}

describe('backup files', () => {
  it('format 2 records the coordinates and what fix wrote, and reads back the same', async () => {
    const record = backupRecord(repo, BEFORE, WRITTEN, new Date('2026-01-01T00:00:00Z'), 'dev');
    expect(record).toMatchObject({ format: 'ecr-doctor-backup/2', kind: 'repository-policy', region: 'eu-west-1', registryId: '111122223333', repositoryName: 'team/app', existed: true, policyText: BEFORE, written: WRITTEN, profile: 'dev' });
    const read = await readBackupFile(await fileWith(record));
    expect(read).toEqual({ location: repo, savedAt: '2026-01-01T00:00:00.000Z', before: BEFORE, written: WRITTEN, profile: 'dev' });
  });

  it('format 1 (resource, existed, policyText) stays readable: coordinates from the ARN, written unknown', async () => {
    const read = await readBackupFile(await fileWith({ resource: repo.repositoryArn, savedAt: '2025-06-01T00:00:00Z', existed: true, policyText: BEFORE }));
    expect(read.location).toEqual(repo);
    expect(read.written).toBeUndefined();
    const role = await readBackupFile(await fileWith({ resource: 'arn:aws:iam::111122223333:role/service-role/build', policyName: 'ecr-doctor-image-pull', savedAt: 'x', existed: false, policyText: null }));
    expect(role.location).toEqual({ kind: 'role-policy', roleArn: 'arn:aws:iam::111122223333:role/service-role/build', roleName: 'build', policyName: 'ecr-doctor-image-pull', account: '111122223333' });
    expect(role.before).toBeUndefined();
  });

  it.each([
    ['[1]', /not a JSON object/],
    ['{"resource":"arn:aws:s3:::bucket","existed":false,"policyText":null,"savedAt":"x"}', /neither an ECR repository nor an IAM role/],
    ['{"resource":"arn:aws:ecr:us-east-1:111122223333:repository/a","existed":true,"policyText":null,"savedAt":"x"}', /"policyText" does not match "existed"/],
    ['{"format":"ecr-doctor-backup/9","resource":"x","existed":true,"policyText":"{}","savedAt":"x"}', /format "ecr-doctor-backup\/9" is not one this version reads/],
  ])('%s is a usage error naming what is wrong', async (body, why) => {
    const path = await fileWith(body);
    await expect(readBackupFile(path)).rejects.toThrow(UsageError);
    await expect(readBackupFile(path)).rejects.toThrow(why);
  });
});

describe('planRestore', () => {
  const contents = { location: repo, savedAt: 's', before: BEFORE, written: WRITTEN } as const;
  it('live = what fix wrote: not changed since; live = the backup: nothing to do', () => {
    expect(planRestore(contents, WRITTEN)).toMatchObject({ changedSince: false, nothingToDo: false, target: BEFORE });
    expect(planRestore(contents, BEFORE)).toMatchObject({ nothingToDo: true });
    expect(planRestore(contents, '{"Version":"2012-10-17","Statement":[]}')).toMatchObject({ changedSince: true });
    expect(planRestore({ ...contents, written: undefined }, WRITTEN)).toMatchObject({ changedSince: 'unknown' });
    // "no policy before": the target is a delete.
    expect(planRestore({ ...contents, before: undefined }, WRITTEN)).toMatchObject({ target: undefined, nothingToDo: false });
  });

  it('the diff is line by line even for one-line policies, and removes our statement', () => {
    const diff = restoreDiff(planRestore(contents, WRITTEN), '/b.json');
    expect(diff).toMatch(/^--- live policy/m);
    expect(diff).toMatch(/^-\s+"Sid": "EcrDoctorCodeBuildPull"$/m);
    expect(diff).not.toMatch(/^-\s+"Sid": "Theirs"/m);
  });

  it('restoreCommand quotes a path the shell would split', () => {
    expect(restoreCommand('/home/me/.ecr-doctor/backups/a.json')).toBe('ecr-doctor restore /home/me/.ecr-doctor/backups/a.json --yes');
    expect(restoreCommand("/tmp/it's here.json")).toBe(`ecr-doctor restore '/tmp/it'\\''s here.json' --yes`);
  });
});

describe('applyRestore', () => {
  const contents = { location: repo, savedAt: 's', before: BEFORE, written: WRITTEN };
  it('reads, backs up, reads once more, writes, reads back', async () => {
    const { store, backup, calls, current } = recordingStore(WRITTEN);
    expect(await applyRestore(store, backup, planRestore(contents, WRITTEN))).toMatchObject({ status: 'restored', hadPolicy: true });
    expect(calls).toEqual(['read', 'backup', 'read', 'write', 'read']);
    expect(current()).toBe(BEFORE);
  });

  it('"no policy before" deletes', async () => {
    const { store, backup, calls, current } = recordingStore(WRITTEN);
    expect(await applyRestore(store, backup, planRestore({ ...contents, before: undefined }, WRITTEN))).toMatchObject({ status: 'restored' });
    expect(calls).toContain('delete');
    expect(current()).toBeUndefined();
  });

  it('a policy changed between the two reads is not written', async () => {
    const { store, backup, calls } = recordingStore(WRITTEN, { onRead: (n) => (n === 1 ? '{"Version":"2012-10-17","Statement":[]}' : undefined) });
    expect(await applyRestore(store, backup, planRestore(contents, WRITTEN))).toMatchObject({ status: 'failed', message: expect.stringContaining('nothing was written') });
    expect(calls).not.toContain('write');
  });
});
