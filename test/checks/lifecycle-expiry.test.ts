import { describe, expect, it } from 'vitest';
import { lifecycleExpiry } from '../../src/checks/lifecycle-expiry.js';
import type { ListedImage, RepositoryFacts } from '../../src/model/facts.js';
import { facts, project, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

const NOW = '2027-01-01T00:00:00.000Z';
const day = (n: number) => new Date(Date.parse(NOW) - n * 86_400_000).toISOString();
const digest = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;
const rule = (rulePriority: number, description: string, selection: object) => ({ rulePriority, description, selection, action: { type: 'expire' } });
const keepThree = JSON.stringify({ rules: [rule(1, 'keep three builds', { tagStatus: 'tagged', tagPrefixList: ['b-'], countType: 'imageCountMoreThan', countNumber: 3 })] });

function run(lifecycle: RepositoryFacts['lifecycle'], imageList: RepositoryFacts['imageList'], tag = 'b-1', pushedDaysAgo = 4) {
  const image = `111122223333.dkr.ecr.us-east-1.amazonaws.com/app:${tag}`;
  const repo = repository({ images: { [tag]: { state: 'present', value: { digest: digest(1), tags: [tag], pushedAt: day(pushedDaysAgo) } } } });
  const withLifecycle: RepositoryFacts = { ...repo, ...(lifecycle ? { lifecycle } : {}), ...(imageList ? { imageList } : {}) };
  return runCheck(lifecycleExpiry, facts({ project: project({ image }), repositories: [withLifecycle], extra: { generatedAt: NOW } }));
}
const listed = (images: ListedImage[], complete = true): RepositoryFacts['imageList'] => ({ state: 'present', value: { images, complete } });
const builds = (n: number) => Array.from({ length: n }, (_, i) => ({ digest: digest(i + 1), tags: [`b-${i + 1}`], pushedAt: day(4 - i) }));

describe('lifecycle-expiry', () => {
  it('warns when the tag is already eligible for expiry, naming the rule', () => {
    const [r] = run({ state: 'present', value: { text: keepThree } }, listed(builds(4)));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain("rule 1 'keep three builds'");
    expect(r?.message).toContain('already eligible for expiry');
    expect(r?.evidence).toMatchObject({ rulePriority: 1 });
  });
  it('warns "after 2 more pushes" while the tag is still among the newest kept', () => {
    const [r] = run({ state: 'present', value: { text: keepThree } }, listed(builds(2)));
    expect(r?.status).toBe('warn');
    expect(r?.message).toMatch(/rule 1 'keep three builds' of app will expire the tag b-1 after 2 more pushes matching the rule/);
    expect(r?.evidence).toMatchObject({ pushesLeft: 2 });
  });
  it('says "at most" when the image list was cut at its bound', () => {
    const [r] = run({ state: 'present', value: { text: keepThree } }, listed(builds(2), false));
    expect(r?.message).toContain('at most 2 more pushes');
  });
  it('warns with the date of a sinceImagePushed rule', () => {
    const text = JSON.stringify({ rules: [rule(1, 'two weeks', { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 })] });
    const [r] = run({ state: 'present', value: { text } }, listed([{ digest: digest(1), tags: ['b-1'], pushedAt: day(10) }]), 'b-1', 10);
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('on 2027-01-05');
  });
  it('passes when no rule selects the image', () => {
    const text = JSON.stringify({ rules: [rule(1, 'untagged', { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 })] });
    const [r] = run({ state: 'present', value: { text } }, listed(builds(4)));
    expect(r?.status).toBe('pass');
  });
  it('skips (not applicable) without a lifecycle policy, and says nothing when lifecycle was not read', () => {
    expect(run({ state: 'absent' }, undefined)[0]?.status).toBe('skip');
    expect(run(undefined, undefined)).toEqual([]);
  });
  it('could not check: a denied policy or image list is an error naming the permission, never a pass', () => {
    const denied = run({ state: 'unreadable', reason: 'AccessDeniedException on ecr:GetLifecyclePolicy', permission: 'ecr:GetLifecyclePolicy' }, undefined);
    expect(denied[0]?.status).toBe('error');
    expect(denied[0]?.message).toContain('ecr:GetLifecyclePolicy');
    const noList = run({ state: 'present', value: { text: keepThree } }, { state: 'unreadable', reason: 'AccessDeniedException on ecr:DescribeImages', permission: 'ecr:DescribeImages' });
    expect(noList[0]?.status).toBe('error');
    expect(noList[0]?.message).toContain('ecr:DescribeImages');
    expect(run({ state: 'present', value: { text: '{not json' } }, listed([]))[0]?.status).toBe('error');
  });
  it('a rule it cannot judge (sinceImagePulled) is a skip saying why, not a pass', () => {
    const text = JSON.stringify({ rules: [rule(1, 'unpulled', { tagStatus: 'any', countType: 'sinceImagePulled', countUnit: 'days', countNumber: 30 })] });
    const [r] = run({ state: 'present', value: { text } }, listed(builds(1)));
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('sinceImagePulled');
  });
});

describe('lifecycle-expiry on an in-build pull', () => {
  it('warns for an ECR image the buildspec pulls, as for the build image', () => {
    const pulled = '111122223333.dkr.ecr.us-east-1.amazonaws.com/app:b-1';
    const repo: RepositoryFacts = {
      ...repository({ images: { 'b-1': { state: 'present', value: { digest: digest(1), tags: ['b-1'], pushedAt: day(4) } } } }),
      lifecycle: { state: 'present', value: { text: keepThree } },
      imageList: listed(builds(4)),
    };
    const f = facts({ project: project({ image: 'aws/codebuild/standard:7.0', privilegedMode: true }), repositories: [repo], extra: { generatedAt: NOW } });
    f.projects[0]!.buildspec = { state: 'present', value: { origin: 'test', steps: [{ kind: 'pull', phase: 'build', index: 0, command: `docker pull ${pulled}`, via: 'docker pull', image: pulled }] } };
    const results = runCheck(lifecycleExpiry, f);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'warn', subject: expect.stringContaining('in the build') });
  });
});
