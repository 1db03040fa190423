import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DescribeImagesCommand, DescribeRepositoriesCommand, GetRepositoryPolicyCommand } from '@aws-sdk/client-ecr';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { BatchGetProjectsCommand } from '@aws-sdk/client-codebuild';
import { GetRoleCommand, ListAttachedRolePoliciesCommand } from '@aws-sdk/client-iam';
import { nextAccountIds } from '../support/accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage, type TestClients } from '../support/aws.js';
import { createRestrictedCredentials, enableIamAuth } from '../support/moto-auth.js';
import { startMotoServer, type MotoServer } from '../support/moto-server.js';

const endpoint = inject('motoEndpoint');
const [accountA = '', accountB = ''] = nextAccountIds(2);
const a = makeTestClients(endpoint, accountA);
const b = makeTestClients(endpoint, accountB);

const pullPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'CodeBuildPull',
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    },
  ],
};

describe('moto harness', () => {
  it('exposes the endpoint through inject and the environment', () => {
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(process.env['ECR_DOCTOR_TEST_MOTO_ENDPOINT']).toBe(endpoint);
  });

  it('hands out distinct 12-digit accounts that moto honours', async () => {
    expect(accountA).toMatch(/^\d{12}$/);
    expect(accountB).toMatch(/^\d{12}$/);
    expect(accountA).not.toBe(accountB);
    const who = await a.sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(accountA);
  });

  it('round-trips a repository policy in one account', async () => {
    const { repositoryUri } = await createRepository(a, 'smoke/app', pullPolicy);
    expect(repositoryUri).toBe(`${accountA}.dkr.ecr.us-east-1.amazonaws.com/smoke/app`);
    const got = await a.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'smoke/app' }));
    expect(got.registryId).toBe(accountA);
    expect(JSON.parse(got.policyText ?? '')).toEqual(pullPolicy);
  });

  it('keeps accounts isolated', async () => {
    await createRepository(a, 'smoke/only-in-a');
    const inB = b.ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['smoke/only-in-a'] }));
    await expect(inB).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('pushes an image tag that DescribeImages finds', async () => {
    await createRepository(a, 'smoke/images');
    const { imageDigest } = await putImage(a, 'smoke/images', 'v1');
    expect(imageDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const out = await a.ecr.send(
      new DescribeImagesCommand({ repositoryName: 'smoke/images', imageIds: [{ imageTag: 'v1' }] }),
    );
    expect(out.imageDetails?.[0]?.imageDigest).toBe(imageDigest);
  });

  it('creates a role with policies and a project that uses it', async () => {
    const roleArn = await createRole(a, 'smoke-build', {
      path: '/service-role/',
      managed: { 'smoke-pull': { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] } },
    });
    expect(roleArn).toBe(`arn:aws:iam::${accountA}:role/service-role/smoke-build`);
    const role = await a.iam.send(new GetRoleCommand({ RoleName: 'smoke-build' }));
    expect(role.Role?.Arn).toBe(roleArn);
    const attached = await a.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: 'smoke-build' }));
    expect(attached.AttachedPolicies?.map((p) => p.PolicyName)).toEqual(['smoke-pull']);

    const image = `${accountA}.dkr.ecr.us-east-1.amazonaws.com/smoke/app:latest`;
    await createProject(a, { name: 'smoke-project', image, serviceRoleArn: roleArn, imagePullCredentialsType: 'SERVICE_ROLE' });
    const got = await a.codebuild.send(new BatchGetProjectsCommand({ names: ['smoke-project'] }));
    expect(got.projects?.[0]?.environment?.image).toBe(image);
    expect(got.projects?.[0]?.serviceRole).toBe(roleArn);
  });
});

describe('IAM enforcement on a private moto server', () => {
  let server: MotoServer | undefined;
  let denied: TestClients;
  beforeAll(async () => {
    server = await startMotoServer();
    const admin = makeTestClients(server.endpoint, '444455556666');
    await createRepository(admin, 'locked');
    const credentials = await createRestrictedCredentials(admin, 'reader', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ecr:DescribeRepositories'], Resource: '*' }],
    });
    await enableIamAuth(server.endpoint);
    denied = makeTestClients(server.endpoint, '444455556666', credentials);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('allows what the identity policy allows', async () => {
    const out = await denied.ecr.send(new DescribeRepositoriesCommand({}));
    expect(out.repositories?.map((r) => r.repositoryName)).toEqual(['locked']);
  });

  it('denies IAM calls with a parseable AccessDenied', async () => {
    await expect(denied.iam.send(new GetRoleCommand({ RoleName: 'x' }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('denies ECR calls with a 403 the SDK cannot parse (XML body on a JSON protocol)', async () => {
    await expect(denied.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'locked' }))).rejects.toMatchObject({
      name: 'SyntaxError',
      $metadata: { httpStatusCode: 403 },
    });
  });
});
