import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { judgeScope, judgeScopeInChunks } from '../../src/cli/doctor-scopes.js';
import type { DoctorOptions } from '../../src/cli/doctor.js';
import type { Result } from '../../src/model/result.js';
import type { ScopeRequest } from '../../src/sources/live/scopes.js';
import { parseSnapshot } from '../../src/sources/snapshot.js';

// --format jsonl judges a scope's projects a chunk at a time (issue 15: 10,000 projects within
// 250 MB). What it emits must be what one pass over the whole scope reports, each result once.
const FILE = 'fixtures/snapshots/many-projects.json';
const facts = parseSnapshot(readFileSync(FILE, 'utf8'), FILE);
const scope = { kind: 'read' as const, account: '111122223333', region: facts.region, facts };
const options = { format: 'jsonl', failOn: 'fail' } as unknown as DoctorOptions;
const request: ScopeRequest = { accounts: { kind: 'caller' }, regions: { kind: 'list', names: [] }, concurrency: 4 };
const key = (r: Result) => JSON.stringify([r.check, r.subject, r.status, r.message, r.account, r.region, r.fix?.command ?? null]);

describe('judging a scope in chunks', () => {
  it('a scope that could not be read is one error part, chunked or not', () => {
    const failed = { kind: 'error' as const, account: '444455556666', region: 'eu-west-1', message: 'AccessDenied on sts:AssumeRole' };
    const [only, ...more] = [...judgeScopeInChunks(failed, options, request, '111122223333', 3)];
    expect(more).toEqual([]);
    expect(only).toEqual(judgeScope(failed, options, request, '111122223333'));
    expect(only?.results.map((r) => [r.check, r.status, r.account, r.region])).toEqual([['scope-read', 'error', '444455556666', 'eu-west-1']]);
  });

  const whole = judgeScope(scope, options, request, '111122223333');

  it('emits the results and verdicts of one pass over the whole scope, each once', () => {
    expect(facts.projects.length).toBeGreaterThan(3);
    const emitted = [...judgeScopeInChunks(scope, options, request, '111122223333', 3)];
    expect(emitted.length).toBe(Math.ceil(facts.projects.length / 3));
    const results = emitted.flatMap((p) => p.results);
    expect(results.map(key).sort()).toEqual(whole.results.map(key).sort());
    expect(new Set(results.map(key)).size).toBe(results.length);
    const verdicts = emitted.flatMap((p) => p.verdicts).map((v) => JSON.stringify(v)).sort();
    expect(verdicts).toEqual(whole.verdicts.map((v) => JSON.stringify(v)).sort());
    expect(emitted.every((p) => p.outcome === emitted[0]?.outcome && p.outcome.projects === facts.projects.length)).toBe(true);
  });

  it('a result about a repository that projects of several chunks share comes once', () => {
    const shared = whole.results.filter((r) => r.subject.includes(':repository/'));
    expect(shared.length).toBeGreaterThan(0);
    const emitted = [...judgeScopeInChunks(scope, options, request, '111122223333', 1)];
    const again = emitted.flatMap((p) => p.results).filter((r) => r.subject.includes(':repository/'));
    expect(again.map(key).sort()).toEqual(shared.map(key).sort());
  });
});
