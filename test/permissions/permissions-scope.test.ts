// `permissions --fix` with a target names the repository and role ARNs fix writes (issue 14).
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { scopeFromFacts } from '../../src/cli/permissions.js';
import { UsageError } from '../../src/model/errors.js';
import { permissionsPolicy } from '../../src/permissions/aws-calls.js';
import { facts, IMAGE, project, REPO_ARN, ROLE_ARN } from '../checks/facts-builder.js';
import { nextAccountId } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients } from '../support/aws.js';
import { awsEnv, createCliCredentials, type CliCredentials } from '../cli/cli-account.js';
import { runCli } from '../cli/spawn.js';

type Statement = { Sid: string; Action: string[]; Resource: string | string[] };
const statements = (p: Record<string, unknown>) => p['Statement'] as Statement[];

describe('permissionsPolicy with a scope', () => {
  it('names the repository for SetRepositoryPolicy and the role for PutRolePolicy', () => {
    const fix = statements(permissionsPolicy(true, { repositories: [REPO_ARN], roles: [ROLE_ARN] })).slice(1);
    expect(fix).toEqual([
      { Sid: 'EcrDoctorFixRepository', Effect: 'Allow', Action: ['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy'], Resource: REPO_ARN },
      { Sid: 'EcrDoctorFixRole', Effect: 'Allow', Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy'], Resource: ROLE_ARN },
    ]);
  });
  it('leaves out a write with nothing to write (no SERVICE_ROLE project: no role)', () => {
    const fix = statements(permissionsPolicy(true, { repositories: [REPO_ARN], roles: [] })).slice(1);
    expect(fix.map((s) => s.Action)).toEqual([['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy']]);
  });
  it('without a target stays as it was: the writes on *', () => {
    expect(statements(permissionsPolicy(true)).at(-1)).toEqual({ Sid: 'EcrDoctorFix', Effect: 'Allow', Action: ['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy', 'iam:DeleteRolePolicy', 'iam:PutRolePolicy'], Resource: '*' });
  });
});

describe('scopeFromFacts', () => {
  it('a CODEBUILD project: its repository only; a SERVICE_ROLE project: its role too', () => {
    expect(scopeFromFacts(facts())).toEqual({ repositories: [REPO_ARN], roles: [] });
    expect(scopeFromFacts(facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }) }))).toEqual({ repositories: [REPO_ARN], roles: [ROLE_ARN] });
  });
  it('a project that is not there is a usage error, never a policy on nothing', () => {
    const f = { ...facts({ project: null }), projects: [{ requested: 'nope', project: { state: 'absent' as const } }] };
    expect(() => scopeFromFacts(f)).toThrow(UsageError);
  });
});

describe('spawned CLI', () => {
  it('--image is resolved offline (no credentials needed)', async () => {
    const run = await runCli(['permissions', '--fix', '--image', IMAGE]);
    expect(run.code).toBe(0);
    expect(statements(JSON.parse(run.stdout)).at(-1)).toEqual({ Sid: 'EcrDoctorFixRepository', Effect: 'Allow', Action: ['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy'], Resource: REPO_ARN });
  });
  it('a target without --fix is a usage error', async () => {
    const run = await runCli(['permissions', '--image', IMAGE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: --project and --image name what fix may write; they go with --fix$/m);
  });

  describe('--project, read live from moto', () => {
    const endpoint = inject('motoEndpoint');
    const account = nextAccountId();
    const clients = makeTestClients(endpoint, account);
    let creds: CliCredentials;
    let roleArn: string;
    beforeAll(async () => {
      const { repositoryUri } = await createRepository(clients, 'perm/app');
      roleArn = await createRole(clients, 'perm-role');
      await createProject(clients, { name: 'perm-build', image: `${repositoryUri}:v1`, serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });
      creds = await createCliCredentials(clients, 'perm-user');
    });

    it('names the project repository and its service role', async () => {
      const run = await runCli(['permissions', '--fix', '--project', 'perm-build'], { env: awsEnv(endpoint, creds) });
      expect(run.code).toBe(0);
      expect(statements(JSON.parse(run.stdout)).slice(1)).toEqual([
        { Sid: 'EcrDoctorFixRepository', Effect: 'Allow', Action: ['ecr:DeleteRepositoryPolicy', 'ecr:SetRepositoryPolicy'], Resource: `arn:aws:ecr:us-east-1:${account}:repository/perm/app` },
        { Sid: 'EcrDoctorFixRole', Effect: 'Allow', Action: ['iam:DeleteRolePolicy', 'iam:PutRolePolicy'], Resource: roleArn },
      ]);
    });
  });
});
