// Prefix semantics: ECR User Guide, "Customizing repository prefixes for ECR to ECR pull through
// cache", and ECR API Reference, "CreateRepositoryCreationTemplate" (prefix): an assumed / after
// the prefix, multi-segment prefixes, ROOT for everything no other prefix covers.
import { describe, expect, it } from 'vitest';
import { matchCreationTemplate, matchPullThroughRule } from '../../src/checks/pull-through-rules.js';
import { validateFacts } from '../../src/sources/validate-facts.js';
import { facts, registry } from './facts-builder.js';

const rule = (prefix: string) => ({ prefix, upstreamRegistryUrl: `${prefix}.example` });

describe('matchPullThroughRule', () => {
  it('matches a prefix followed by /, never a bare name or a longer segment', () => {
    expect(matchPullThroughRule('ecr-public/my-app/image1', [rule('ecr-public')])?.prefix).toBe('ecr-public');
    expect(matchPullThroughRule('ecr-public', [rule('ecr-public')])).toBeUndefined();
    expect(matchPullThroughRule('ecr-publicity/app', [rule('ecr-public')])).toBeUndefined();
  });
  it('prefers the longest prefix, then ROOT', () => {
    const rules = [rule('ROOT'), rule('team'), rule('team/mirror')];
    expect(matchPullThroughRule('team/mirror/app', rules)?.prefix).toBe('team/mirror');
    expect(matchPullThroughRule('team/app', rules)?.prefix).toBe('team');
    expect(matchPullThroughRule('other', rules)?.prefix).toBe('ROOT');
  });
  it('no rules, no cache path', () => {
    expect(matchPullThroughRule('docker-hub/library/node', [])).toBeUndefined();
  });
});

describe('matchCreationTemplate', () => {
  it('only templates applied for PULL_THROUGH_CACHE count; ROOT is the default', () => {
    const templates = [
      { prefix: 'hub', appliedFor: ['REPLICATION'] },
      { prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE', 'CREATE_ON_PUSH'] },
    ];
    expect(matchCreationTemplate('hub/library/node', templates)?.prefix).toBe('ROOT');
    expect(matchCreationTemplate('hub/library/node', [{ prefix: 'hub', appliedFor: ['PULL_THROUGH_CACHE'] }, ...templates])?.prefix).toBe('hub');
    expect(matchCreationTemplate('hub/library/node', [{ prefix: 'hub', appliedFor: ['REPLICATION'] }])).toBeUndefined();
  });
});

describe('snapshot validation', () => {
  it('accepts the rules and templates, and rejects a rule without its upstream URL', () => {
    const f = facts({ registries: [registry({ pullThroughRules: { state: 'present', value: [rule('hub')] }, creationTemplates: { state: 'present', value: [{ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'] }] } })] });
    expect(() => validateFacts(JSON.parse(JSON.stringify(f)))).not.toThrow();
    const bad = JSON.parse(JSON.stringify(f)) as { registries: Record<string, { pullThroughRules: { value: Array<Record<string, unknown>> } }> };
    delete Object.values(bad.registries)[0]!.pullThroughRules.value[0]!['upstreamRegistryUrl'];
    expect(() => validateFacts(bad)).toThrow(/upstreamRegistryUrl/);
  });
});
