// The registry policy in the pull verdicts. The rule (ECR User Guide, "Private registry
// permissions in Amazon ECR"): under V1 only ecr:ReplicateImage, ecr:BatchImportUpstreamImage and
// ecr:CreateRepository are enforced at registry level; under V2 "Amazon ECR allows all ECR actions
// in the policy and enforces the registry policy in all ECR requests".
import { describe, expect, it } from 'vitest';
import { codebuildPrincipalCanPull } from '../../src/checks/codebuild-principal-can-pull.js';
import { serviceRoleCanPull } from '../../src/checks/service-role-can-pull.js';
import { ACCOUNT, codebuildGrant, facts, OTHER, policy, project, PROJECT_ARN, registry, repository, role, ROLE_ARN, rolePullPolicy } from './facts-builder.js';
import { runCheck } from './run-check.js';

const runCodebuild = (opts: Parameters<typeof facts>[0]) => runCheck(codebuildPrincipalCanPull, facts(opts));
const sr = project({ imagePullCredentialsType: 'SERVICE_ROLE' });
const runRole = (opts: Parameters<typeof facts>[0]) => runCheck(serviceRoleCanPull, facts({ project: sr, ...opts }));

const denyPull = { Sid: 'NoPullsFromHere', Effect: 'Deny', Principal: '*', Action: 'ecr:BatchGetImage', Resource: '*' };
const registryCodebuildGrant = { ...codebuildGrant(PROJECT_ARN), Sid: 'RegistryCodeBuildPull', Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/*` };
const granted = repository({ policy: policy(codebuildGrant()) });

describe('registry policy, scope V2', () => {
  it('a registry Deny on ecr:BatchGetImage turns a repository-policy pass into a failure naming the registry statement', () => {
    const [r] = runCodebuild({ repositories: [granted], registries: [registry({ policy: policy(denyPull) })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('statement "NoPullsFromHere" (#0) of the registry policy of account 111122223333 (us-east-1) denies ecr:BatchGetImage');
  });

  it('a registry Allow for the service principal turns a failure into a pass, naming the registry statement', () => {
    expect(runCodebuild({ repositories: [repository()] })[0]?.status).toBe('fail');
    const [r] = runCodebuild({ repositories: [repository()], registries: [registry({ policy: policy(registryCodebuildGrant) })] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('statement "RegistryCodeBuildPull" (#0) of the registry policy of account 111122223333 (us-east-1)');
  });

  it('a registry Allow for the role grants a same-account SERVICE_ROLE pull the identity policy lacks (the token still comes from the identity policy)', () => {
    const tokenOnly = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] };
    const roleGrant = { Sid: 'RegistryRolePull', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' };
    expect(runRole({ roles: [role({ inline: { token: tokenOnly } })] })[0]?.status).toBe('fail');
    const [r] = runRole({ roles: [role({ inline: { token: tokenOnly } })], registries: [registry({ policy: policy(roleGrant) })] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('"RegistryRolePull" (#0) of the registry policy of account 111122223333');
  });

  it('a registry Deny blocks the role too, and the result names the registry statement', () => {
    const [r] = runRole({ roles: [role({ inline: { pull: rolePullPolicy() } })], registries: [registry({ policy: policy(denyPull) })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('statement "NoPullsFromHere" (#0) of the registry policy of account 111122223333 (us-east-1)');
  });

  it('cannot decide a cross-account pull that only a registry Allow would grant: the guide is silent on it', () => {
    const crossImage = `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`;
    const crossRepoArn = `arn:aws:ecr:us-east-1:${OTHER}:repository/app`;
    const roleGrant = { Sid: 'RegistryRolePull', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' };
    const [r] = runRole({
      project: { ...sr, image: crossImage },
      roles: [role({ inline: { pull: rolePullPolicy(crossRepoArn) } })],
      repositories: [repository({ account: OTHER })],
      registries: [registry({ account: OTHER, policy: policy(roleGrant) })],
    });
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('Cannot decide');
    expect(r?.message).toContain("does not say whether a registry-policy Allow is the owner's half");
  });
});

describe('registry policy, scope V1 and unknown', () => {
  it('under V1 the registry policy does not apply to pulls, and the result says so', () => {
    const [r] = runCodebuild({ repositories: [granted], registries: [registry({ scope: 'V1', policy: policy(denyPull) })] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('scope V1');
  });

  it('an unread scope with a policy that would change the verdict is an error naming ecr:GetAccountSetting, never a pass', () => {
    const scope = { state: 'unreadable' as const, reason: 'AccessDenied on ecr:GetAccountSetting', permission: 'ecr:GetAccountSetting' };
    const [r] = runCodebuild({ repositories: [granted], registries: [registry({ scope, policy: policy(denyPull) })] });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('needs ecr:GetAccountSetting');
  });

  it('an unread scope does not matter when the verdict is the same under V1 and V2', () => {
    const scope = { state: 'unreadable' as const, reason: 'the endpoint does not implement ecr:GetAccountSetting', permission: 'ecr:GetAccountSetting' };
    const harmless = { Sid: 'Replication', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'ecr:ReplicateImage', Resource: '*' };
    const [r] = runCodebuild({ repositories: [granted], registries: [registry({ scope, policy: policy(harmless) })] });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('the same under V1 and V2');
  });

  it('a denied GetRegistryPolicy is an error naming the permission, for the service principal and for the role', () => {
    const denied = { state: 'unreadable' as const, reason: 'AccessDenied on ecr:GetRegistryPolicy', permission: 'ecr:GetRegistryPolicy' };
    const [c] = runCodebuild({ repositories: [granted], registries: [registry({ policy: denied })] });
    expect(c?.status).toBe('error');
    expect(c?.message).toContain('needs ecr:GetRegistryPolicy');
    const [r] = runRole({ roles: [role({ inline: { pull: rolePullPolicy() } })], registries: [registry({ policy: denied })] });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('needs ecr:GetRegistryPolicy');
  });

  it('a snapshot without registry facts is no pass', () => {
    const [r] = runCodebuild({ repositories: [granted], registries: [], extra: { registries: undefined } });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('the registry policy of account 111122223333 (us-east-1): it was not read');
  });

  it('a repository Deny decides even when the registry policy could not be read', () => {
    const denied = { state: 'unreadable' as const, reason: 'AccessDenied on ecr:GetRegistryPolicy', permission: 'ecr:GetRegistryPolicy' };
    const deny = { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'ecr:*' };
    const [r] = runCodebuild({ repositories: [repository({ policy: policy(codebuildGrant(), deny) })], registries: [registry({ policy: denied })] });
    expect(r?.status).toBe('fail');
  });
});
