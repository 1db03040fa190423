import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backup, PolicyStore } from '../../src/fix/apply.js';
import { applyChange, BackupError, keepsForeignStatements } from '../../src/fix/apply.js';
import { defaultBackupDir, fileBackup } from '../../src/fix/backup.js';
import type { RepositoryPolicyChange } from '../../src/fix/plan.js';
import { planFix } from '../../src/fix/plan.js';
import { facts, policy, pushGrant, repository } from '../checks/facts-builder.js';

/** An in-memory repository policy with hooks to play a concurrent writer or a misbehaving service. */
function memoryStore(initial: string | undefined, hooks: { beforeRead?: (n: number) => string | undefined | void; onWrite?: (text: string) => string } = {}) {
  let text = initial;
  let reads = 0;
  const writes: string[] = [];
  const store: PolicyStore = {
    async readRepositoryPolicy() {
      const replaced = hooks.beforeRead?.(reads++);
      if (replaced !== undefined) text = replaced;
      return text;
    },
    async writeRepositoryPolicy(_c, t) {
      writes.push(t);
      text = hooks.onWrite ? hooks.onWrite(t) : t;
    },
    readRolePolicy: async () => undefined,
    writeRolePolicy: async () => {},
  };
  return { store, writes, current: () => text };
}

const seedText = policy(pushGrant);
const seed = facts({ repositories: [repository({ policy: seedText })] });
const change = planFix(seed).changes[0] as RepositoryPolicyChange;

describe('applyChange', () => {
  it('backs up, writes, verifies, and keeps the unrelated statement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const { store, writes, current } = memoryStore(seedText);
    const outcome = await applyChange(store, fileBackup(dir, join(dir, 'backup.json')), change);
    expect(outcome.status).toBe('applied');
    expect(writes).toHaveLength(1);
    expect(JSON.parse(current()!).Statement[0]).toEqual(pushGrant);
    const saved = JSON.parse(await readFile(join(dir, 'backup.json'), 'utf8'));
    expect(saved).toMatchObject({ existed: true, policyText: seedText });
  });

  it('re-merges onto what is there at write time: a statement added since the plan survives', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const late = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/late' }, Action: 'ecr:BatchGetImage' };
    const { store, current } = memoryStore(seedText, { beforeRead: (n) => (n === 0 ? policy(pushGrant, late) : undefined) });
    const outcome = await applyChange(store, fileBackup(dir, undefined), change);
    expect(outcome.status).toBe('applied');
    const sids = JSON.parse(current()!).Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(['AllowCiPush', 'AddedMeanwhile', 'EcrDoctorCodeBuildPull']);
  });

  it('writes nothing when the grant is already there', async () => {
    const { store, writes } = memoryStore(change.after);
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change);
    expect(outcome.status).toBe('unchanged');
    expect(writes).toEqual([]);
  });

  it('reports a failed verification with the backup path when the read-back differs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const { store } = memoryStore(seedText, { onWrite: () => policy(pushGrant) });
    const outcome = await applyChange(store, fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining('.ecr-doctor/backups/') });
  });

  it('never overwrites an earlier backup', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const backup = fileBackup(dir, undefined, () => new Date('2026-01-01T00:00:00Z'));
    const a = await backup.save(change, 'one');
    const b = await backup.save(change, 'two');
    expect(a).not.toBe(b);
    expect(JSON.parse(await readFile(a, 'utf8')).policyText).toBe('one');
  });
});

describe('keepsForeignStatements', () => {
  it('is false when a foreign statement is missing or altered, true otherwise', () => {
    expect(keepsForeignStatements(seedText, change.after, ['EcrDoctorCodeBuildPull'])).toBe(true);
    expect(keepsForeignStatements(seedText, policy(), [])).toBe(false);
    expect(keepsForeignStatements(seedText, policy({ ...pushGrant, Action: 'ecr:*' }), [])).toBe(false);
  });
});

describe('applyChange: stops cleanly, before any write', () => {
  it('the live policy grew past 10,240 characters since the plan: a failed outcome, not a crash', async () => {
    const big = Array.from({ length: 60 }, (_, i) => ({ ...pushGrant, Sid: `Filler${i}`, Principal: { AWS: `arn:aws:iam::111122223333:role/${'x'.repeat(100)}${i}` } }));
    const { store, writes } = memoryStore(seedText, { beforeRead: () => policy(...big) });
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/10240-character limit.*; nothing was written$/) });
    expect(writes).toEqual([]);
  });

  it('a statement with our Sid but another shape appeared since the plan: refused, nothing written', async () => {
    const deny = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' };
    const { store, writes } = memoryStore(seedText, { beforeRead: () => policy(pushGrant, deny) });
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining('statement "EcrDoctorCodeBuildPull" (#1) was not written by ecr-doctor (it is a Deny)') });
    expect(writes).toEqual([]);
  });

  it('a backup that cannot be written: a failed outcome with the path, and no write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    await writeFile(join(dir, 'a-file'), 'x');
    const { store, writes } = memoryStore(seedText);
    const outcome = await applyChange(store, fileBackup(dir, join(dir, 'a-file', 'backup.json')), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/^cannot write the backup to .*a-file.*: (ENOTDIR|EEXIST); nothing was written$/) });
    expect(writes).toEqual([]);
  });

  it('check() reports an unwritable backup location before anything is read or written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(fileBackup(dir, join(dir, 'a-file', 'sub', 'b.json')).check()).rejects.toThrow(BackupError);
    await expect(fileBackup(join(dir, 'a-file'), undefined).check()).rejects.toThrow(/cannot write the backup to .*a-file.*ENOTDIR/);
    await expect(fileBackup(dir, undefined).check()).resolves.toBeUndefined();
  });
});

describe('applyChange: what was approved is what is written', () => {
  it('interactive (requireReviewed): a policy changed since it was shown is not written', async () => {
    const late = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/late' }, Action: 'ecr:BatchGetImage' };
    const { store, writes } = memoryStore(seedText, { beforeRead: (n) => (n === 0 ? policy(pushGrant, late) : undefined) });
    const backup: Backup = { check: async () => {}, save: async () => { throw new Error('must not back up'); } };
    const outcome = await applyChange(store, backup, change, { requireReviewed: true });
    expect(outcome).toMatchObject({ status: 'failed', message: 'the policy changed while you were reviewing; run fix again' });
    expect(writes).toEqual([]);
  });

  it('interactive: the same policy (other whitespace) is written exactly as shown', async () => {
    const { store, writes } = memoryStore(JSON.stringify(JSON.parse(seedText), null, 4));
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change, { requireReviewed: true });
    expect(outcome.status).toBe('applied');
    expect(writes).toEqual([change.after]);
  });
});

describe('fileBackup', () => {
  it('--backup DIR (an existing folder) writes a generated file inside it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const into = join(dir, 'keep');
    await mkdir(into);
    const path = await fileBackup(join(dir, 'home'), into, () => new Date('2026-01-01T00:00:00Z')).save(change, seedText);
    expect(path).toBe(join(into, '111122223333-us-east-1-app-2026-01-01T00-00-00-000Z.json'));
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ existed: true, policyText: seedText });
  });

  it('by default writes under <home>/.ecr-doctor/backups, never the current folder', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ecr-doctor-home-'));
    const path = await fileBackup(home, undefined).save(change, undefined);
    expect(path.startsWith(`${defaultBackupDir(home)}/`)).toBe(true);
    expect(defaultBackupDir('/home/me')).toBe('/home/me/.ecr-doctor/backups');
    expect(await readdir(defaultBackupDir(home))).toHaveLength(1);
  });

  it('an applied change says whether there was a policy before', async () => {
    const home = await mkdtemp(join(tmpdir(), 'ecr-doctor-home-'));
    const fresh = planFix(facts()).changes[0] as RepositoryPolicyChange;
    const outcome = await applyChange(memoryStore(undefined).store, fileBackup(home, undefined), fresh);
    expect(outcome).toMatchObject({ status: 'applied', hadPolicy: false });
  });
});

describe('applyChange when the write or the read-back fails', () => {
  it('reports the failure with the backup path, and says the write may have been applied', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    let reads = 0;
    const store: PolicyStore = {
      async readRepositoryPolicy() {
        if (reads++ > 0) throw new Error('ThrottlingException on ecr:GetRepositoryPolicy');
        return seedText;
      },
      async writeRepositoryPolicy() {},
      readRolePolicy: async () => undefined,
      writeRolePolicy: async () => {},
    };
    const outcome = await applyChange(store, fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/ThrottlingException.*the write may have been applied.*\.ecr-doctor\/backups\//) });
  });
});
