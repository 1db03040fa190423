import { describe, expect, it } from 'vitest';
import { imageReference } from '../../src/checks/image-reference.js';
import { facts, project } from './facts-builder.js';
import { runCheck } from './run-check.js';

const run = (image: string, extra = {}) => runCheck(imageReference, facts({ project: project({ image, ...extra }) }));

describe('image-reference', () => {
  it.each([
    ['aws/codebuild/standard:7.0', 'no repository policy is involved'],
    ['public.ecr.aws/docker/library/node:20', 'ECR Public'],
    ['node:20', 'Docker Hub'],
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1', 'private ECR image'],
  ])('passes %s', (image, words) => {
    const [r] = run(image);
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain(words);
  });
  it('fails a malformed image with the parser reason', () => {
    const [r] = run('Foo/Bar:baz');
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('lowercase');
  });
  it('warns about a private registry without a credential and passes with one', () => {
    expect(run('ghcr.io/org/tool:1')[0]?.status).toBe('warn');
    expect(run('ghcr.io/org/tool:1', { registryCredential: { credential: 'x', credentialProvider: 'SECRETS_MANAGER' } })[0]?.status).toBe('pass');
  });
});
