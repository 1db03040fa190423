import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Backup, PolicyStore } from '../../src/fix/apply.js';
import { applyChange, BackupError, keepsForeignStatements, WriteRejectedError } from '../../src/fix/apply.js';
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
    async deleteRepositoryPolicy() {
      writes.push('(delete)');
      text = undefined;
    },
    readRolePolicy: async () => undefined,
    writeRolePolicy: async () => {},
    deleteRolePolicy: async () => {},
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

  it('a key written twice since the plan (apply time): refused with the JSON path, nothing written', async () => {
    const dup = `{"Version":"2012-10-17","Statement":[${JSON.stringify(pushGrant)}],"Statement":[${JSON.stringify(pushGrant)}]}`;
    const { store, writes } = memoryStore(seedText, { beforeRead: () => dup });
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: 'the repository policy of app has two "Statement" keys at $; ecr-doctor will not rewrite it (edit it by hand first); nothing was written' });
    expect(writes).toEqual([]);
  });

  it('--backup naming a device is refused as a usage problem before anything is read', async () => {
    await expect(fileBackup(tmpdir(), '/dev/null').check()).rejects.toMatchObject({ usage: true, message: expect.stringMatching(/^--backup \/dev\/null is not a regular file or a folder/) });
  });

  it('a backup that cannot be written: a failed outcome with the path, and no write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    await writeFile(join(dir, 'a-file'), 'x');
    const { store, writes } = memoryStore(seedText);
    const outcome = await applyChange(store, fileBackup(dir, join(dir, 'a-file', 'backup.json')), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/^cannot write the backup to .*a-file.*: .*a-file is a file, not a folder; nothing was written$/) });
    expect(writes).toEqual([]);
  });

  it('check() reports an unwritable backup location before anything is read or written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    await writeFile(join(dir, 'a-file'), 'x');
    await expect(fileBackup(dir, join(dir, 'a-file', 'sub', 'b.json')).check()).rejects.toThrow(BackupError);
    await expect(fileBackup(join(dir, 'a-file'), undefined).check()).rejects.toThrow(/cannot write the backup to .*a-file.*: .*a-file is a file, not a folder$/);
    await expect(fileBackup(dir, undefined).check()).resolves.toBeUndefined();
  });
});

describe('applyChange: what was approved is what is written', () => {
  it('interactive (requireReviewed): a policy changed since it was shown is not written', async () => {
    const late = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/late' }, Action: 'ecr:BatchGetImage' };
    const { store, writes } = memoryStore(seedText, { beforeRead: (n) => (n === 0 ? policy(pushGrant, late) : undefined) });
    const backup: Backup = { check: async () => {}, save: async () => { throw new Error('must not back up'); } };
    const outcome = await applyChange(store, backup, change, { requireReviewed: true });
    expect(outcome).toMatchObject({ status: 'failed', message: 'the policy changed while you were reviewing; nothing was written; run fix again' });
    expect(writes).toEqual([]);
  });

  it('interactive: the same policy (other whitespace) gets the statements shown, in its own layout', async () => {
    const live = JSON.stringify(JSON.parse(seedText), null, 4);
    const { store, writes } = memoryStore(live);
    const outcome = await applyChange(store, fileBackup(await mkdtemp(join(tmpdir(), 'ecr-doctor-')), undefined), change, { requireReviewed: true });
    expect(outcome.status).toBe('applied');
    expect(writes).toHaveLength(1);
    expect(JSON.parse(writes[0]!)).toEqual(JSON.parse(change.after));
    // The live bytes are kept: the foreign statement is still written with four spaces.
    const foreign = live.slice(live.indexOf('{', 1), live.lastIndexOf('}', live.lastIndexOf(']')) + 1);
    expect(writes[0]).toContain(foreign);
  });

  it('interactive: the very policy shown is written byte for byte as shown', async () => {
    const { store, writes } = memoryStore(seedText);
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
  function failingStore(opts: { write?: () => Promise<void>; failReadFrom?: number }) {
    let reads = 0;
    const store: PolicyStore = {
      async readRepositoryPolicy() {
        if (opts.failReadFrom !== undefined && reads++ >= opts.failReadFrom) throw new Error('ThrottlingException on ecr:GetRepositoryPolicy');
        return seedText;
      },
      writeRepositoryPolicy: opts.write ?? (async () => {}),
      deleteRepositoryPolicy: async () => {},
      readRolePolicy: async () => undefined,
      writeRolePolicy: async () => {},
      deleteRolePolicy: async () => {},
    };
    return store;
  }

  it('a read-back that fails: written, not verified, with the backup path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const outcome = await applyChange(failingStore({ failReadFrom: 2 }), fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/^written, but it could not be read back to verify \(ThrottlingException.*\); the previous policy is saved in .*\.ecr-doctor\/backups\//) });
  });

  it('a write that timed out may or may not have been applied, and says where the backup is', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const outcome = await applyChange(failingStore({ write: async () => { throw new Error('TimeoutError: socket hang up'); } }), fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringMatching(/^TimeoutError: socket hang up; the write may or may not have been applied; the previous policy is saved in .*\.ecr-doctor\/backups\//) });
  });

  it('a write AWS refused (AccessDenied) says nothing was written and keeps the hint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const write = async () => {
      throw new WriteRejectedError('cannot write the repository policy of app: AccessDenied on ecr:SetRepositoryPolicy', 'grant ecr:SetRepositoryPolicy on arn:aws:ecr:us-east-1:111122223333:repository/app to the identity running ecr-doctor');
    };
    const outcome = await applyChange(failingStore({ write }), fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: 'cannot write the repository policy of app: AccessDenied on ecr:SetRepositoryPolicy; nothing was written', hint: expect.stringContaining('grant ecr:SetRepositoryPolicy on arn:aws:ecr:') });
  });

  it('a re-read that fails before the write: nothing was written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-'));
    const outcome = await applyChange(failingStore({ failReadFrom: 0 }), fileBackup(dir, undefined), change);
    expect(outcome).toMatchObject({ status: 'failed', message: 'ThrottlingException on ecr:GetRepositoryPolicy; nothing was written' });
  });
});

describe('applyChange: the window between the last read and the write (issue 12, item 9)', () => {
  /** A store and a backup that log every call in one list, in order. */
  function recording(hooks: { onRead?: (n: number) => string | undefined } = {}) {
    const calls: string[] = [];
    let text: string | undefined = seedText;
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
      deleteRepositoryPolicy: async () => {
        calls.push('delete');
      },
      readRolePolicy: async () => undefined,
      writeRolePolicy: async () => {},
      deleteRolePolicy: async () => {},
    };
    const backup: Backup = {
      check: async () => {},
      save: async (_c, before, writing) => {
        calls.push(`backup(${before === seedText ? 'seed' : 'other'} -> ${writing === undefined ? '?' : 'target'})`);
        return '/tmp/b.json';
      },
    };
    return { store, backup, calls };
  }

  it('backs up and merges first, then reads once more and writes straight after, then reads back', async () => {
    const { store, backup, calls } = recording();
    const outcome = await applyChange(store, backup, change);
    expect(outcome.status).toBe('applied');
    expect(calls).toEqual(['read', 'backup(seed -> target)', 'read', 'write', 'read']);
  });

  it('a policy that changed between the two reads is prepared again onto the new one (the backup holds the new one)', async () => {
    const late = { Sid: 'AddedMeanwhile', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/late' }, Action: 'ecr:BatchGetImage' };
    const { store, backup, calls } = recording({ onRead: (n) => (n === 1 ? policy(pushGrant, late) : undefined) });
    const outcome = await applyChange(store, backup, change);
    expect(outcome.status).toBe('applied');
    expect(calls).toEqual(['read', 'backup(seed -> target)', 'read', 'read', 'backup(other -> target)', 'read', 'write', 'read']);
    if (outcome.status === 'applied') expect(JSON.parse(outcome.written).Statement.map((s: { Sid: string }) => s.Sid)).toEqual(['AllowCiPush', 'AddedMeanwhile', 'EcrDoctorCodeBuildPull']);
  });

  it('a policy that keeps changing is not written', async () => {
    const { store, backup, calls } = recording({ onRead: (n) => policy(pushGrant, { Sid: `Other${n}`, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:role/x' }, Action: 'ecr:BatchGetImage' }) });
    const outcome = await applyChange(store, backup, change);
    expect(outcome).toMatchObject({ status: 'failed', message: expect.stringContaining('kept changing while fix prepared the write (another writer?); nothing was written') });
    expect(calls).not.toContain('write');
  });
});
