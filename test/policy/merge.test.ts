import { describe, expect, it } from 'vitest';
import { MAX_POLICY_LENGTH, mergeOwnedStatements } from '../../src/policy/merge.js';
import { parsePolicy } from '../../src/policy/parse.js';

const owns = (sid: string) => sid.startsWith('EcrDoctor');
const OURS = {
  Sid: 'EcrDoctorCodeBuildPull',
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
  Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
};
const FOREIGN = { Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Effect: 'Deny', Principal: '*', Action: 'ecr:*', Sid: 'TheirDeny' };

function okResult(r: ReturnType<typeof mergeOwnedStatements>) {
  if (!r.ok) throw new Error(`merge failed: ${r.reason}: ${r.message}`);
  return r;
}

describe('mergeOwnedStatements', () => {
  it('creates a new policy with Version 2012-10-17, pretty printed', () => {
    const r = okResult(mergeOwnedStatements(undefined, [OURS], owns));
    expect(r.text).toBe(JSON.stringify({ Version: '2012-10-17', Statement: [OURS] }, null, 2));
    expect(r).toMatchObject({ changed: true, added: ['EcrDoctorCodeBuildPull'], replaced: [], removed: [], kept: 0, statementCount: 1, compact: false });
  });

  it('keeps foreign statements and top-level keys exactly, key order included, and appends ours', () => {
    const current = JSON.stringify({ Id: 'mine', Version: '2008-10-17', Statement: [FOREIGN, { Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: 'ecr:BatchGetImage' }] });
    const r = okResult(mergeOwnedStatements(current, [OURS], owns));
    const out = JSON.parse(r.text) as { Statement: unknown[] };
    expect(Object.keys(out)).toEqual(['Id', 'Version', 'Statement']);
    expect(JSON.stringify(out.Statement[0])).toBe(JSON.stringify(FOREIGN));
    expect(out.Statement[2]).toEqual(OURS);
    expect(r).toMatchObject({ kept: 2, added: ['EcrDoctorCodeBuildPull'], changed: true });
  });

  it('replaces an owned statement in place and removes owned ones not given again', () => {
    const old = { ...OURS, Action: 'ecr:BatchGetImage' };
    const stale = { Sid: 'EcrDoctorOld', Effect: 'Allow', Principal: '*', Action: 'ecr:*' };
    const current = JSON.stringify({ Version: '2012-10-17', Statement: [old, FOREIGN, stale] });
    const r = okResult(mergeOwnedStatements(current, [OURS], owns));
    expect((JSON.parse(r.text) as { Statement: unknown[] }).Statement).toEqual([OURS, FOREIGN]);
    expect(r).toMatchObject({ replaced: ['EcrDoctorCodeBuildPull'], removed: ['EcrDoctorOld'], added: [], kept: 1 });
  });

  it('turns a Statement object into an array when it has to change it', () => {
    const r = okResult(mergeOwnedStatements(JSON.stringify({ Version: '2012-10-17', Statement: FOREIGN }), [OURS], owns));
    expect((JSON.parse(r.text) as { Statement: unknown[] }).Statement).toEqual([FOREIGN, OURS]);
  });

  it('is idempotent: the second merge changes nothing', () => {
    const first = okResult(mergeOwnedStatements(JSON.stringify({ Version: '2012-10-17', Statement: [FOREIGN] }), [OURS], owns));
    const second = okResult(mergeOwnedStatements(first.text, [OURS], owns));
    expect(second).toMatchObject({ changed: false, added: [], replaced: [], removed: [], kept: 1 });
    expect(second.text).toBe(first.text);
  });

  it('sees key order alone as no change', () => {
    const reordered = Object.fromEntries(Object.entries(OURS).reverse());
    const r = okResult(mergeOwnedStatements(JSON.stringify({ Version: '2012-10-17', Statement: [reordered] }), [OURS], owns));
    expect(r.changed).toBe(false);
    expect(r.replaced).toEqual([]);
  });

  it('can remove every owned statement', () => {
    const r = okResult(mergeOwnedStatements(JSON.stringify({ Version: '2012-10-17', Statement: [OURS] }), [], owns));
    expect(r).toMatchObject({ changed: true, removed: ['EcrDoctorCodeBuildPull'], statementCount: 0 });
  });

  it('refuses an unreadable current policy and owned statements it would not recognise', () => {
    expect(mergeOwnedStatements('{oops', [OURS], owns)).toMatchObject({ ok: false, reason: 'invalid-policy', message: expect.stringContaining('$: not valid JSON') });
    expect(mergeOwnedStatements(undefined, [{ ...OURS, Sid: 'Other' }], owns)).toMatchObject({ ok: false, reason: 'invalid-policy' });
    expect(mergeOwnedStatements(undefined, [OURS, OURS], owns)).toMatchObject({ ok: false, reason: 'invalid-policy', message: expect.stringContaining('share the Sid') });
    expect(mergeOwnedStatements(undefined, [{ Sid: 'EcrDoctorX', Effect: 'Maybe', Action: 'x' }], owns)).toMatchObject({
      ok: false,
      reason: 'invalid-policy',
      message: expect.stringContaining('$.Statement[0].Effect'),
    });
  });

  it('falls back to the compact form when only the pretty one is too long', () => {
    const filler = (n: number) => Array.from({ length: n }, (_, i) => ({ Sid: `T${i}`, Effect: 'Allow', Principal: { AWS: '444455556666' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] }));
    let n = 1;
    while (JSON.stringify({ Version: '2012-10-17', Statement: [...filler(n), OURS] }, null, 2).length <= MAX_POLICY_LENGTH) n++;
    const current = JSON.stringify({ Version: '2012-10-17', Statement: filler(n) });
    const r = okResult(mergeOwnedStatements(current, [OURS], owns));
    expect(r.compact).toBe(true);
    expect(r.text).toBe(JSON.stringify({ Version: '2012-10-17', Statement: [...filler(n), OURS] }));
    expect(r.text.length).toBeLessThanOrEqual(MAX_POLICY_LENGTH);
    expect(parsePolicy(r.text).ok).toBe(true);
  });

  it('refuses with too-large when even the compact form exceeds 10,240 characters', () => {
    const big = { Sid: 'Big', Effect: 'Allow', Principal: '*', Action: Array.from({ length: 800 }, (_, i) => `ecr:Action${i}`) };
    const r = mergeOwnedStatements(JSON.stringify({ Version: '2012-10-17', Statement: [big] }), [OURS], owns);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toBe('too-large');
    expect(r.message).toMatch(/^the merged policy would be \d+ characters even without whitespace, over the 10240-character limit of an ECR repository policy/);
  });
});

describe('mergeOwnedStatements and numbers JSON cannot carry', () => {
  it('refuses a policy with a whole number past 2^53 rather than writing it back rounded', () => {
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Big', Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage', Condition: { NumericGreaterThan: { 'ecr:x': 1 } } }] }).replace('"ecr:x":1', '"ecr:x":9007199254740993');
    const result = mergeOwnedStatements(text, [{ Sid: 'EcrDoctorCodeBuildPull', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'ecr:BatchGetImage' }], (sid) => sid === 'EcrDoctorCodeBuildPull');
    expect(result).toMatchObject({ ok: false, reason: 'inexact-number', message: expect.stringContaining('holds the number 9007199254740993 at $.Statement[0].Condition.NumericGreaterThan["ecr:x"], which JSON cannot represent exactly') });
  });
});
