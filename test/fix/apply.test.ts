import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PolicyStore } from '../../src/fix/apply.js';
import { applyChange, keepsForeignStatements } from '../../src/fix/apply.js';
import { fileBackup } from '../../src/fix/backup.js';
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
