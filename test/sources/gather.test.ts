import { describe, expect, it } from 'vitest';
import { mentionsResourceTag } from '../../src/sources/live/gather.js';
import { absent, present } from '../../src/model/fact.js';

// The repository tags are read (ListTagsForResource, one per repository) only when a policy read
// names a ResourceTag key (issue 15: fewer requests); a key the scan misses would leave a
// ResourceTag condition "cannot decide", never a pass.
describe('mentionsResourceTag', () => {
  it('finds the key in a repository policy text, any case, either prefix', () => {
    const text = JSON.stringify({ Statement: [{ Condition: { StringEquals: { 'aws:ResourceTag/team': 'a' } } }] });
    expect(mentionsResourceTag([present({ text })])).toBe(true);
    expect(mentionsResourceTag([present({ text: text.replace('aws:ResourceTag', 'ECR:resourcetag') })])).toBe(true);
  });

  it('finds it in a role fact however deep the document sits', () => {
    expect(mentionsResourceTag([{ arn: 'r', policies: [{ document: { Statement: [{ Condition: { StringLike: { 'ecr:ResourceTag/env': 'prod' } } }] } }] }])).toBe(true);
  });

  it('says no for policies without the key, aws:RequestTag and aws:PrincipalTag included, and for nothing read', () => {
    const text = JSON.stringify({ Statement: [{ Condition: { StringEquals: { 'aws:PrincipalTag/team': 'a', 'aws:RequestTag/x': 'b' } } }] });
    expect(mentionsResourceTag([present({ text }), absent(), undefined])).toBe(false);
    expect(mentionsResourceTag([])).toBe(false);
  });
});
