// Cases from the Amazon ECR User Guide, "Examples of lifecycle policies in Amazon ECR" and
// "Lifecycle policy evaluation rules" (lifecycle_policy_examples.html, LifecyclePolicies.html).
import { describe, expect, it } from 'vitest';
import type { LifecycleImage, LifecycleRule } from '../../src/ecr/lifecycle.js';
import { evaluateExpiry, matchesTagPattern, parseLifecyclePolicy, selectsImage } from '../../src/ecr/lifecycle.js';

const NOW = new Date('2027-01-01T00:00:00Z');
const day = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const img = (digest: string, tags: string[], daysAgo: number, status?: string): LifecycleImage => ({ digest, tags, pushedAt: day(daysAgo), ...(status ? { status } : {}) });
function rules(text: object): LifecycleRule[] {
  const p = parseLifecyclePolicy(JSON.stringify(text));
  if (!p.ok) throw new Error(p.reason);
  return p.rules;
}

describe('parseLifecyclePolicy', () => {
  it('reads the rules in rulePriority order', () => {
    const r = rules({ rules: [
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
      { rulePriority: 1, description: 'x', selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } },
    ] });
    expect(r.map((x) => x.rulePriority)).toEqual([1, 2]);
    expect(r[0]?.selection.tagPrefixList).toEqual(['prod']);
  });
  it('refuses bad JSON and malformed rules with a reason, never a partial policy', () => {
    expect(parseLifecyclePolicy('{').ok).toBe(false);
    expect(parseLifecyclePolicy('{"rules":[{"rulePriority":1}]}')).toMatchObject({ ok: false, reason: expect.stringContaining('selection') });
    expect(parseLifecyclePolicy('{"rules":[{"rulePriority":1,"selection":{"tagStatus":"some","countType":"x","countNumber":1},"action":{"type":"expire"}}]}').ok).toBe(false);
  });
});

describe('tag selection', () => {
  it('tagPatternList wildcards', () => {
    expect(matchesTagPattern('prod*', 'prod-1')).toBe(true);
    expect(matchesTagPattern('prod*', 'preprod')).toBe(false);
    expect(matchesTagPattern('*ver', 'server')).toBe(true);
    expect(matchesTagPattern('a*b*c', 'a-b-c')).toBe(true);
    expect(matchesTagPattern('a*b*c', 'a-c-b')).toBe(false);
    expect(matchesTagPattern('exact', 'exact')).toBe(true);
    expect(matchesTagPattern('ab*ba', 'aba')).toBe(false);
  });
  it('multiple prefixes select only images with all of them (guide: "Filtering on multiple tags")', () => {
    const [rule] = rules({ rules: [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }] });
    expect(selectsImage(rule!, img('a', ['alpha-1', 'beta-1'], 1))).toBe(true);
    expect(selectsImage(rule!, img('b', ['alpha-1'], 1))).toBe(false);
    expect(selectsImage(rule!, img('c', [], 1))).toBe(false);
  });
  it('untagged and any; archived images only under storageClass archive', () => {
    const [u, a] = rules({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    ] });
    expect(selectsImage(u!, img('a', [], 1))).toBe(true);
    expect(selectsImage(u!, img('b', ['v1'], 1))).toBe(false);
    expect(selectsImage(a!, img('b', ['v1'], 1))).toBe(true);
    expect(selectsImage(a!, img('b', ['v1'], 1, 'ARCHIVED'))).toBe(false);
  });
});

describe('evaluateExpiry', () => {
  it('sinceImagePushed: the guide\'s "Expire images older than 14 days" with tagPatternList prod*', () => {
    const r = rules({ rules: [{ rulePriority: 1, description: 'Expire images older than 14 days', selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] });
    const old = img('old', ['prod-1'], 20);
    const fresh = img('new', ['prod-2'], 10);
    expect(evaluateExpiry(r, [old, fresh], old, NOW)).toMatchObject({ kind: 'eligible', rule: { priority: 1, description: 'Expire images older than 14 days' } });
    expect(evaluateExpiry(r, [old, fresh], fresh, NOW)).toEqual({ kind: 'on-date', rule: expect.objectContaining({ priority: 1 }), date: '2027-01-05T00:00:00.000Z' });
    expect(evaluateExpiry(r, [old, fresh], img('dev', ['dev-1'], 30), NOW)).toEqual({ kind: 'never' });
  });
  it('imageCountMoreThan keeps the newest N by push time: already eligible, or after N more pushes', () => {
    const r = rules({ rules: [{ rulePriority: 1, description: 'keep three builds', selection: { tagStatus: 'tagged', tagPrefixList: ['b-'], countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } }] });
    const images = [img('1', ['b-1'], 4), img('2', ['b-2'], 3), img('3', ['b-3'], 2), img('4', ['b-4'], 1)];
    expect(evaluateExpiry(r, images, images[0]!, NOW)).toMatchObject({ kind: 'eligible', reason: expect.stringContaining('3 newer images') });
    expect(evaluateExpiry(r, images, images[1]!, NOW)).toMatchObject({ kind: 'after-pushes', pushes: 1 });
    expect(evaluateExpiry(r, images, images[3]!, NOW)).toMatchObject({ kind: 'after-pushes', pushes: 3 });
  });
  it('the first rule whose tagging selects the image is the only one that can expire it (guide: evaluation rules)', () => {
    // Guide, "Filtering on multiple rules": rule 1 keeps one prod image; rule 2 (any) keeps one image.
    const r = rules({ rules: [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } },
    ] });
    const prod = img('p', ['prod'], 5);
    const beta = img('b', ['beta'], 1);
    // prod is the newest prod image: rule 1 keeps it, and rule 2 (lower priority) cannot expire it.
    expect(evaluateExpiry(r, [prod, beta], prod, NOW)).toMatchObject({ kind: 'after-pushes', rule: { priority: 1 }, pushes: 1 });
    // Rule 2 still identifies the prod image as if not expired: beta is the newest, kept.
    expect(evaluateExpiry(r, [prod, beta], beta, NOW)).toMatchObject({ kind: 'after-pushes', rule: { priority: 2 }, pushes: 1 });
    const older = img('o', ['alpha'], 9);
    expect(evaluateExpiry(r, [prod, beta, older], older, NOW)).toMatchObject({ kind: 'eligible', rule: { priority: 2 } });
  });
  it('undecided, never "never", for count types it cannot judge or missing push dates', () => {
    const r = rules({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 3 }, action: { type: 'expire' } }] });
    expect(evaluateExpiry(r, [], img('a', ['x'], 1), NOW)).toMatchObject({ kind: 'undecided', reason: expect.stringContaining('sinceImagePulled') });
    const c = rules({ rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 3 }, action: { type: 'expire' } }] });
    expect(evaluateExpiry(c, [], { digest: 'a', tags: ['x'] }, NOW).kind).toBe('undecided');
  });
});
