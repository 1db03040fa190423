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
  it('warns about an Allow with NotPrincipal: it lets every principal it does not name pull', () => {
    const results = runCheck(repositoryPolicyOpen, withPolicy({ Sid: 'AllBut', Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/x' }, Action: 'ecr:BatchGetImage' }));
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'warn', subject: 'arn:aws:ecr:us-east-1:111122223333:repository/app' });
    expect(results[0]?.message).toBe('Statement "AllBut" (#0) lets every principal except those its NotPrincipal names pull from app, with no condition.');
  });
  it('a conditioned NotPrincipal Allow, or one that does not pull, passes', () => {
    const conditioned = { Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/x' }, Action: 'ecr:BatchGetImage', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } } };
    expect(runCheck(repositoryPolicyOpen, withPolicy(conditioned))[0]?.status).toBe('pass');
    expect(runCheck(repositoryPolicyOpen, withPolicy({ Effect: 'Allow', NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/x' }, Action: 'ecr:PutImage' }))[0]?.status).toBe('pass');
  });
  it('warns about codebuild.amazonaws.com allowed with no aws:SourceAccount/aws:SourceArn (confused deputy), saying fix writes the conditioned form', () => {
    const bare = { Sid: 'CodeBuild', Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };
    const [r] = runCheck(repositoryPolicyOpen, withPolicy(bare));
    expect(r?.status).toBe('warn');
    expect(r?.message).toBe(
      'Statement "CodeBuild" (#0) of the repository policy of app lets codebuild.amazonaws.com pull with no aws:SourceAccount or aws:SourceArn condition, so a CodeBuild project in any AWS account can pull the image (the confused-deputy problem). ecr-doctor fix writes the conditioned form; condition or remove this statement yourself (fix never edits statements it did not write).',
    );
    // A condition on something else (here the source IP) does not tie the request to an account.
    expect(runCheck(repositoryPolicyOpen, withPolicy({ ...bare, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }))[0]?.status).toBe('warn');
    // Any source key does (condition keys are case-insensitive).
    expect(runCheck(repositoryPolicyOpen, withPolicy({ ...bare, Condition: { StringEquals: { 'AWS:SourceAccount': '111122223333' } } }))[0]?.status).toBe('pass');
  });
  it('could not check: an unreadable policy is a skip naming the permission, never a pass', () => {
    const f = facts({ repositories: [repository({ policy: { state: 'unreadable', reason: 'AccessDeniedException', permission: 'ecr:GetRepositoryPolicy' } })] });
    const [r] = runCheck(repositoryPolicyOpen, f);
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('(needs ecr:GetRepositoryPolicy)');
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
