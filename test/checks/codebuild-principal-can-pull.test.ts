import { describe, expect, it } from 'vitest';
import { codebuildPrincipalCanPull } from '../../src/checks/codebuild-principal-can-pull.js';
import { ACCOUNT, codebuildGrant, facts, OTHER, policy, project, pushGrant, REPO_ARN, repository } from './facts-builder.js';
import { runCheck, statuses } from './run-check.js';

const run = (...args: Parameters<typeof facts>) => runCheck(codebuildPrincipalCanPull, facts(...args));

describe('codebuild-principal-can-pull', () => {
  it('passes when a statement allows the service principal for this project, naming it', () => {
    const [r] = run({ repositories: [repository({ policy: policy(pushGrant, codebuildGrant()) })] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('"AllowCodeBuild" (#1)');
  });

  it('fails with no repository policy, saying where the grant must go and planning the statement', () => {
    const [r] = run();
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('the repository has no repository policy');
    expect(r?.fix).toMatchObject({ target: 'repository-policy', account: ACCOUNT, resource: REPO_ARN });
    expect(r?.fix?.statement).toMatchObject({ Sid: 'EcrDoctorCodeBuildPull', Principal: { Service: 'codebuild.amazonaws.com' } });
  });

  it('fails when the only statements are unrelated, and says the role does not matter', () => {
    const [r] = run({ repositories: [repository({ policy: policy(pushGrant) })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toMatch(/only the repository policy of app \(account 111122223333\) can allow it; the service role's permissions are not used/);
  });

  it('fails when aws:SourceArn is pinned to another project, with the engine explaining the condition', () => {
    const [r] = run({ repositories: [repository({ policy: policy(codebuildGrant(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/other`)) })] });
    expect(r?.status).toBe('fail');
    expect(JSON.stringify(r?.evidence)).toContain('project/other');
  });

  it('fails on an explicit Deny, naming it, and plans no statement', () => {
    const deny = { Sid: 'DenyOutsideVpc', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } };
    const [r] = run({ repositories: [repository({ policy: policy(codebuildGrant(), deny) })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('"DenyOutsideVpc" (#1)');
    expect(r?.fix?.statement).toBeUndefined();
  });

  it('warns, naming the key, when a condition cannot be evaluated', () => {
    // aws:SecureTransport is in CodeBuild's request context, and Numeric* is not evaluated.
    const grant = codebuildGrant(undefined, { Condition: { NumericLessThan: { 'aws:SecureTransport': '3600' } } });
    const [r] = run({ repositories: [repository({ policy: policy(grant) })] });
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('aws:SecureTransport');
  });

  it('does not apply in SERVICE_ROLE mode, to non-ECR images, or across accounts', () => {
    expect(run({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }) })).toEqual([]);
    expect(run({ project: project({ image: 'aws/codebuild/standard:7.0' }) })).toEqual([]);
    const crossImage = `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`;
    expect(run({ project: project({ image: crossImage }), repositories: [repository({ account: OTHER })] })).toEqual([]);
  });

  it('reports an unreadable policy as an error naming the permission, never a pass', () => {
    const r = run({ repositories: [repository({ policy: { state: 'unreadable', reason: 'AccessDenied on ecr:GetRepositoryPolicy', permission: 'ecr:GetRepositoryPolicy' } })] });
    expect(statuses(r)).toEqual(['error']);
    expect(r[0]?.message).toContain('ecr:GetRepositoryPolicy');
  });
});
