import { describe, expect, it } from 'vitest';
import { legacyCodebuildPrincipals } from '../../src/checks/legacy-codebuild-principals.js';
import { repositoryPolicyOpen } from '../../src/checks/repository-policy-open.js';
import { codebuildGrant, facts, policy, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

const withPolicy = (...statements: object[]) => facts({ repositories: [repository({ policy: policy(...statements) })] });

describe('repository-policy-open', () => {
  it('passes a policy with conditions', () => {
    expect(runCheck(repositoryPolicyOpen, withPolicy(codebuildGrant()))[0]?.status).toBe('pass');
  });
  it('warns about Principal "*" pulling with no condition, in either form', () => {
    expect(runCheck(repositoryPolicyOpen, withPolicy({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }))[0]?.status).toBe('warn');
    expect(runCheck(repositoryPolicyOpen, withPolicy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: ['ecr:BatchGetImage'] }))[0]?.status).toBe('warn');
  });
  it('does not apply without a policy', () => {
    expect(runCheck(repositoryPolicyOpen, facts())).toEqual([]);
  });
});

describe('legacy-codebuild-principals', () => {
  it('warns about old CodeBuild account roots', () => {
    const [r] = runCheck(legacyCodebuildPrincipals, withPolicy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::201349592320:root' }, Action: 'ecr:BatchGetImage' }));
    expect(r?.status).toBe('warn');
    expect(r?.evidence?.accounts).toEqual(['201349592320']);
  });
  it('passes the service principal', () => {
    expect(runCheck(legacyCodebuildPrincipals, withPolicy(codebuildGrant()))[0]?.status).toBe('pass');
  });
});
