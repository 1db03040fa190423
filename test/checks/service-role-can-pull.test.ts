import { describe, expect, it } from 'vitest';
import { serviceRoleCanPull } from '../../src/checks/service-role-can-pull.js';
import { ACCOUNT, facts, OTHER, policy, project, registry, repository, role, ROLE_ARN, rolePullPolicy } from './facts-builder.js';
import { runCheck } from './run-check.js';

const sr = project({ imagePullCredentialsType: 'SERVICE_ROLE' });
const run = (opts: Parameters<typeof facts>[0]) => runCheck(serviceRoleCanPull, facts({ project: sr, ...opts }));
const crossImage = `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`;
const crossRepoArn = `arn:aws:ecr:us-east-1:${OTHER}:repository/app`;
const roleGrantInRepo = { Sid: 'AllowBuildRole', Effect: 'Allow', Principal: { AWS: ROLE_ARN }, Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'] };

describe('service-role-can-pull', () => {
  it('passes when an inline policy grants the token and the pull', () => {
    const [r] = run({ roles: [role({ inline: { pull: rolePullPolicy() } })] });
    expect(r?.status).toBe('pass');
  });

  it('passes with a managed policy using wildcards', () => {
    const managed = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] };
    expect(run({ roles: [role({ attached: { EcrAll: managed } })] })[0]?.status).toBe('pass');
  });

  it('fails without any grant, naming the role policy and the account that must add it', () => {
    const results = run({ roles: [role()] });
    expect(results.map((r) => r.status)).toEqual(['fail']);
    expect(results[0]?.message).toContain('ecr:GetAuthorizationToken');
    expect(results[0]?.fix).toMatchObject({ target: 'role-policy', account: ACCOUNT, resource: ROLE_ARN });
  });

  it('says a repository policy can never grant GetAuthorizationToken when only the token is missing', () => {
    const onlyPull = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }] };
    const [r] = run({ roles: [role({ inline: { p: onlyPull } })], repositories: [repository({ policy: policy(roleGrantInRepo) })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('a repository policy can never grant ecr:GetAuthorizationToken');
  });

  it('fails on an explicit Deny in the identity policy, naming it', () => {
    const deny = { Version: '2012-10-17', Statement: [{ Sid: 'NoEcr', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] };
    const [r] = run({ roles: [role({ inline: { pull: rolePullPolicy(), guard: deny } })] });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('"NoEcr"');
  });

  it('fails when the permissions boundary does not allow the pull, even with a repository-policy grant', () => {
    const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:*', 'ecr:GetAuthorizationToken'], Resource: '*' }] };
    const results = run({ roles: [role({ inline: { pull: rolePullPolicy() }, boundary })], repositories: [repository({ policy: policy(roleGrantInRepo) })] });
    expect(results[0]?.status).toBe('fail');
    expect(results[0]?.message).toContain('permissions boundary');
  });

  it('across accounts: says the repository-policy half is missing and who must add it', () => {
    const results = run({
      project: { ...sr, image: crossImage },
      roles: [role({ inline: { pull: rolePullPolicy(crossRepoArn) } })],
      repositories: [repository({ account: OTHER })],
    });
    expect(results.map((r) => r.status)).toEqual(['fail']);
    expect(results[0]?.fix).toMatchObject({ target: 'repository-policy', account: OTHER });
    expect(results[0]?.message).toContain(`(account ${OTHER}) does not allow`);
  });

  it('across accounts: says the identity half is missing when only the repository allows', () => {
    const results = run({
      project: { ...sr, image: crossImage },
      roles: [role()],
      repositories: [repository({ account: OTHER, policy: policy(roleGrantInRepo) })],
    });
    expect(results.some((r) => r.fix?.target === 'role-policy' && r.fix.account === ACCOUNT)).toBe(true);
    expect(results.some((r) => r.fix?.target === 'repository-policy')).toBe(false);
  });

  it('across accounts: passes when both halves allow (account principal in the repository policy)', () => {
    const accountGrant = { ...roleGrantInRepo, Principal: { AWS: ACCOUNT } };
    const [r] = run({
      project: { ...sr, image: crossImage },
      roles: [role({ inline: { pull: rolePullPolicy(crossRepoArn) } })],
      repositories: [repository({ account: OTHER, policy: policy(accountGrant) })],
      // The owner's registry read by the owner (a snapshot from account OTHER merged in): no registry policy.
      registries: [registry({ account: OTHER, policy: { state: 'absent' } })],
    });
    expect(r?.status).toBe('pass');
  });

  it('across accounts: warns instead of passing when the owner\'s registry policy cannot be read from here', () => {
    const accountGrant = { ...roleGrantInRepo, Principal: { AWS: ACCOUNT } };
    const [r] = run({
      project: { ...sr, image: crossImage },
      roles: [role({ inline: { pull: rolePullPolicy(crossRepoArn) } })],
      repositories: [repository({ account: OTHER, policy: policy(accountGrant) })],
    });
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain(`the registry policy of account ${OTHER} (us-east-1) could not be read (cannot read from this account`);
  });

  it('reports an unreadable inline policy as an error naming the permission', () => {
    const unreadableRole = { ...role(), inlinePolicies: { state: 'unreadable' as const, reason: 'AccessDenied on iam:GetRolePolicy', permission: 'iam:GetRolePolicy' } };
    const [r] = run({ roles: [unreadableRole] });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('iam:GetRolePolicy');
  });

  it('fails when the role does not exist', () => {
    const missing = { ...role(), role: { state: 'absent' as const } };
    expect(run({ roles: [missing] })[0]?.status).toBe('fail');
  });

  it('does not apply in CODEBUILD mode', () => {
    expect(runCheck(serviceRoleCanPull, facts({ roles: [role()] }))).toEqual([]);
  });
});

describe('service-role-can-pull for a bare --image', () => {
  it('says what any role would need instead of judging a role that does not exist', () => {
    const f = facts({ project: null, extra: { images: ['111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1'] } });
    const [r] = runCheck(serviceRoleCanPull, f);
    expect(r?.status).toBe('skip');
    expect(r?.message).toContain('ecr:GetAuthorizationToken on *');
    expect(r?.fix?.target).toBe('role-policy');
  });
});

describe('service-role-can-pull with facts missing or unreadable', () => {
  it("across accounts with the owner's repository unreadable: judges the role's half and says what the owner must allow", () => {
    const denied = { state: 'unreadable' as const, reason: 'AccessDenied on ecr:DescribeRepositories', permission: 'ecr:DescribeRepositories' };
    const repo = { ...repository({ account: OTHER }), repository: denied, policy: denied };
    const results = run({ project: { ...sr, image: crossImage }, roles: [role({ inline: { pull: rolePullPolicy(crossRepoArn) } })], repositories: [repo] });
    expect(results.map((r) => r.status)).toEqual(['pass', 'error']);
    expect(results[1]?.fix).toMatchObject({ target: 'repository-policy', account: OTHER, statement: { Principal: { AWS: ROLE_ARN } } });
    const noGrant = run({ project: { ...sr, image: crossImage }, roles: [role()], repositories: [repo] });
    expect(noGrant.map((r) => r.status)).toEqual(['fail', 'error']);
  });

  it('a role that was not read, or a boundary named but not read, is an error, never a pass', () => {
    expect(run({ roles: [] })[0]?.status).toBe('error');
    const named = role({ inline: { pull: rolePullPolicy() } });
    const withBoundaryArn = { ...named, role: { state: 'present' as const, value: { name: 'build-role', path: '/service-role/', permissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/pb' } } };
    expect(run({ roles: [withBoundaryArn] })[0]).toMatchObject({ status: 'error', message: expect.stringContaining('permissions boundary') });
  });
});
