import { describe, expect, it } from 'vitest';
import { imageExists, nearestTags } from '../../src/checks/image-exists.js';
import { repositoryExists } from '../../src/checks/repository-exists.js';
import { facts, project, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

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
  it('a missing pull-through cache repository is a warning about the first pull, not a failure', () => {
    const image = '111122223333.dkr.ecr.us-east-1.amazonaws.com/docker-hub/library/node:20';
    const repo = repository({ name: 'docker-hub/library/node', exists: false });
    const [r] = runCheck(repositoryExists, facts({ project: project({ image }), repositories: [repo] }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('ecr:BatchImportUpstreamImage');
  });
});
