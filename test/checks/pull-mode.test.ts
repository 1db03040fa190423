import { describe, expect, it } from 'vitest';
import { pullMode } from '../../src/checks/pull-mode.js';
import { ACCOUNT, facts, OTHER, project } from './facts-builder.js';
import { runCheck } from './run-check.js';

const run = (p: Parameters<typeof project>[0]) => runCheck(pullMode, facts({ project: project(p) }));

describe('pull-mode', () => {
  it('passes a same-account, same-region ECR image in the default mode, saying it is the default', () => {
    const [r] = run({});
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('the default');
  });
  it('fails a curated image in SERVICE_ROLE mode', () => {
    expect(run({ image: 'aws/codebuild/standard:7.0', imagePullCredentialsType: 'SERVICE_ROLE' })[0]).toMatchObject({ status: 'fail', fix: { target: 'project-setting' } });
  });
  it('fails a cross-account ECR image in CODEBUILD mode, with the SERVICE_ROLE way out', () => {
    const [r] = run({ image: `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1` });
    expect(r?.status).toBe('fail');
    expect(r?.fix?.description).toContain('SERVICE_ROLE');
  });
  it('fails an image in another region', () => {
    const [r] = run({ image: `${ACCOUNT}.dkr.ecr.us-west-2.amazonaws.com/app:v1` });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('us-west-2');
  });
  it('warns that registryCredential is ignored on an ECR image, naming the mode that applies', () => {
    const [result] = run({ registryCredential: { credential: 'arn:aws:secretsmanager:us-east-1:1:secret:x', credentialProvider: 'SECRETS_MANAGER' } });
    expect(result?.status).toBe('warn');
    expect(result?.message).toMatch(/ignored for an ECR image: the pull uses CODEBUILD/);
  });
  it('fails a private registry credential in CODEBUILD mode', () => {
    expect(run({ image: 'ghcr.io/org/tool:1', registryCredential: { credential: 'x', credentialProvider: 'SECRETS_MANAGER' } })[0]?.status).toBe('fail');
  });
  it('passes a cross-account ECR image in SERVICE_ROLE mode and a curated image in CODEBUILD mode', () => {
    expect(run({ image: `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`, imagePullCredentialsType: 'SERVICE_ROLE' })[0]?.status).toBe('pass');
    expect(run({ image: 'aws/codebuild/standard:7.0' })[0]?.status).toBe('pass');
  });
  it('does not apply to a bare --image (there is no project mode to judge)', () => {
    expect(runCheck(pullMode, facts({ project: null, extra: { images: ['node:20'] } }))).toEqual([]);
  });
});
