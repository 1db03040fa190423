import { describe, expect, it } from 'vitest';
import { imageExists, nearestTags } from '../../src/checks/image-exists.js';
import { repositoryExists } from '../../src/checks/repository-exists.js';
import { facts, project, registry, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';
import type { RegistryFacts } from '../../src/model/facts.js';

describe('repository-exists', () => {
  it('passes, fails and errors by the fact', () => {
    expect(runCheck(repositoryExists, facts())[0]?.status).toBe('pass');
    expect(runCheck(repositoryExists, facts({ repositories: [repository({ exists: false })] }))[0]?.status).toBe('fail');
    const unreadable = { ...repository(), repository: { state: 'unreadable' as const, reason: 'AccessDenied on ecr:DescribeRepositories', permission: 'ecr:DescribeRepositories' } };
    expect(runCheck(repositoryExists, facts({ repositories: [unreadable] }))[0]).toMatchObject({ status: 'error', message: expect.stringContaining('ecr:DescribeRepositories') });
  });
  it('does not apply to a curated image', () => {
    expect(runCheck(repositoryExists, facts({ project: project({ image: 'aws/codebuild/standard:7.0' }) }))).toEqual([]);
  });
});

describe('image-exists', () => {
  it('passes an existing tag', () => {
    expect(runCheck(imageExists, facts())[0]?.status).toBe('pass');
  });
  it('fails a missing tag and lists the nearest existing tags', () => {
    const repo = repository({ images: { v1: { state: 'absent' } }, knownTags: ['v2', 'v10', 'latest', 'release-1'] });
    const [r] = runCheck(imageExists, facts({ repositories: [repo] }));
    expect(r?.status).toBe('fail');
    expect(r?.evidence?.nearestTags).toEqual(['v10', 'v2', 'latest']);
  });
  it('fails an ARCHIVED image', () => {
    const repo = repository({ images: { v1: { state: 'present', value: { digest: 'sha256:x', tags: ['v1'], status: 'ARCHIVED' } } } });
    expect(runCheck(imageExists, facts({ repositories: [repo] }))[0]?.message).toContain('ARCHIVED');
  });
  it('does not apply when the repository is missing', () => {
    expect(runCheck(imageExists, facts({ repositories: [repository({ exists: false })] }))).toEqual([]);
  });
  it('ranks tags by edit distance', () => {
    expect(nearestTags('release', ['relase', 'latest', 'releases'], 2)).toEqual(['relase', 'releases']);
  });
});

describe('facts that were never gathered', () => {
  it('a repository that was not read is an error', () => {
    expect(runCheck(repositoryExists, facts({ repositories: [] }))[0]?.status).toBe('error');
  });
  it('a tag that was not looked up is an error', () => {
    expect(runCheck(imageExists, facts({ repositories: [repository({ images: {} })] }))[0]?.status).toBe('error');
  });
  it('a missing repository whose name only looks like a cache path, with the rules unread, is an error naming the read', () => {
    const image = '111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/node:20';
    const repo = repository({ name: 'docker-hub/library/node', exists: false });
    const [r] = runCheck(repositoryExists, facts({ project: project({ image }), repositories: [repo] }));
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('ecr:DescribePullThroughCacheRules');
  });
});

describe('pull-through cache paths, from the real rules', () => {
  const rules = (...value: Array<{ prefix: string; upstreamRegistryUrl: string }>) => ({ state: 'present' as const, value });
  const run = (name: string, pullThroughRules: RegistryFacts['pullThroughRules']) =>
    runCheck(repositoryExists, facts({
      project: project({ image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/${name}:1` }),
      repositories: [repository({ name, exists: false })],
      registries: [registry({ pullThroughRules })],
    }))[0];

  it('a custom prefix rule makes a missing repository a first-pull warning naming the rule', () => {
    const r = run('hub/library/node', rules({ prefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io' }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('rule hub for registry-1.docker.io');
    expect(r?.message).toContain('pull-through-first-pull');
  });

  it('a multi-segment prefix covers only paths below it', () => {
    const rule = rules({ prefix: 'team/mirror', upstreamRegistryUrl: 'quay.io' });
    expect(run('team/mirror/app', rule)?.status).toBe('warn');
    expect(run('team/app', rule)?.status).toBe('fail');
  });

  it('a ROOT rule covers a path no other rule covers', () => {
    const r = run('my-app/image1', rules({ prefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io' }, { prefix: 'ROOT', upstreamRegistryUrl: 'public.ecr.aws' }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('rule ROOT for public.ecr.aws');
  });

  it('a docker-hub/ name with rules read and none matching keeps failing: the name is no guess any more', () => {
    const r = run('docker-hub/library/node', rules({ prefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io' }));
    expect(r?.status).toBe('fail');
  });

  it('a denied rules read on a plain name still fails (the repository is missing) and names the read it needed', () => {
    const r = run('app2', { state: 'unreadable', reason: 'AccessDeniedException', permission: 'ecr:DescribePullThroughCacheRules' });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('needs ecr:DescribePullThroughCacheRules');
  });
});
