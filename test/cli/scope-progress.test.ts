import { describe, expect, it } from 'vitest';
import { makeScopeProgress } from '../../src/cli/doctor-scopes.js';

describe('the progress line of a multi-scope run', () => {
  it('rewrites one line in place: scopes read of the total, accounts, projects, scopes that failed; clears it at the end', () => {
    const out: string[] = [];
    const p = makeScopeProgress(true, (t) => out.push(t));
    p.planned(3, 6);
    p.scope({ outcome: { account: '111122223333', region: 'us-east-1', status: 'read', projects: 12 } });
    p.scope({ outcome: { account: '444455556666', status: 'error', message: 'cannot assume' } });
    p.end();
    expect(out).toEqual([
      '\r\x1b[2Kecr-doctor: 0/6 account-regions read (3 accounts), 0 projects',
      '\r\x1b[2Kecr-doctor: 1/6 account-regions read (3 accounts), 12 projects',
      '\r\x1b[2Kecr-doctor: 1/6 account-regions read (3 accounts), 12 projects, 1 could not be read',
      '\r\x1b[2K',
    ]);
  });

  it('writes nothing when disabled (CI, a pipe, --quiet, a JSON Lines stream)', () => {
    const out: string[] = [];
    const p = makeScopeProgress(false, (t) => out.push(t));
    p.planned(1, 1);
    p.scope({ outcome: { account: '111122223333', region: 'us-east-1', status: 'read', projects: 1 } });
    p.end();
    expect(out).toEqual([]);
  });
});
