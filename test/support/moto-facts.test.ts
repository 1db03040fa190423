// Pins the moto behaviour listed at the top of aws.ts; if an upgrade changes one, fix the list
// and whatever live-source test relied on it.
import { describe, expect, inject, it } from 'vitest';
import {
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  GetRepositoryPolicyCommand,
  ListImagesCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { BatchGetProjectsCommand, ListBuildsForProjectCommand } from '@aws-sdk/client-codebuild';
import { nextAccountIds } from './accounts.js';
import { createProject, createRepository, createRole, makeTestClients, putImage } from './aws.js';

const endpoint = inject('motoEndpoint');
const [build = '', registry = ''] = nextAccountIds(2);
const a = makeTestClients(endpoint, build);
const b = makeTestClients(endpoint, registry);
const doc = { Version: '2012-10-17', Statement: [{ Sid: 'A b', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: 'arn:aws:ecr:us-east-1:1:repository/x/*' }] };

describe('moto ECR', () => {
  it('names the missing policy and the missing repository like AWS', async () => {
    await createRepository(a, 'facts/none');
    await expect(a.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'facts/none' }))).rejects.toMatchObject({ name: 'RepositoryPolicyNotFoundException' });
    await expect(a.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'facts/nope' }))).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
  });

  it('validates policy structure but not principals, and keeps the text verbatim', async () => {
    await createRepository(a, 'facts/policy');
    const set = (policyText: string) => a.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: 'facts/policy', policyText, force: true }));
    await expect(set('{not json')).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(set('{}')).rejects.toMatchObject({ name: 'InvalidParameterException' });
    const text = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::333333333333:role/ghost' }, Action: 'ecr:BatchGetImage', Resource: '*' }] }, null, 2);
    expect((await set(text)).policyText).toBe(text);
    expect((await a.ecr.send(new GetRepositoryPolicyCommand({ repositoryName: 'facts/policy' }))).policyText).toBe(text);
  });

  it('answers registryId of another account from the caller backend, so it finds nothing', async () => {
    await createRepository(b, 'facts/remote', doc);
    const viaRegistryId = a.ecr.send(new GetRepositoryPolicyCommand({ registryId: registry, repositoryName: 'facts/remote' }));
    await expect(viaRegistryId).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    expect((await a.ecr.send(new DescribeRepositoriesCommand({ registryId: registry }))).repositories).toEqual([]);
    const direct = await b.ecr.send(new GetRepositoryPolicyCommand({ registryId: registry, repositoryName: 'facts/remote' }));
    expect(direct.registryId).toBe(registry);
  });

  it('describes images by tag and digest without imageStatus; a missing tag is ImageNotFoundException', async () => {
    await createRepository(a, 'facts/images');
    const { imageDigest } = await putImage(a, 'facts/images', 'v1');
    const byDigest = await a.ecr.send(new DescribeImagesCommand({ repositoryName: 'facts/images', imageIds: [{ imageDigest }] }));
    expect(byDigest.imageDetails?.[0]?.imageTags).toEqual(['v1']);
    expect(byDigest.imageDetails?.[0]).not.toHaveProperty('imageStatus');
    const missing = a.ecr.send(new DescribeImagesCommand({ repositoryName: 'facts/images', imageIds: [{ imageTag: 'nope' }] }));
    await expect(missing).rejects.toMatchObject({ name: 'ImageNotFoundException' });
    const listed = await a.ecr.send(new ListImagesCommand({ repositoryName: 'facts/images' }));
    expect(listed.imageIds).toEqual([{ imageDigest, imageTag: 'v1' }]);
  });
});

describe('moto IAM', () => {
  it('URL-encodes role documents but not GetPolicyVersion, and returns the boundary', async () => {
    await createRole(a, 'facts-role', { path: '/service-role/', inline: { inl: doc }, managed: { man: doc }, boundary: doc });
    const role = (await a.iam.send(new GetRoleCommand({ RoleName: 'facts-role' }))).Role;
    expect(role?.Path).toBe('/service-role/');
    expect(role?.AssumeRolePolicyDocument).toMatch(/^%7B%22Version%22/);
    expect(role?.PermissionsBoundary).toEqual({ PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: `arn:aws:iam::${build}:policy/facts-role-boundary` });
    await expect(a.iam.send(new GetRoleCommand({ RoleName: 'service-role/facts-role' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const inline = await a.iam.send(new GetRolePolicyCommand({ RoleName: 'facts-role', PolicyName: 'inl' }));
    expect(JSON.parse(decodeURIComponent(inline.PolicyDocument ?? ''))).toEqual(doc);
    expect(inline.PolicyDocument).toContain('%2A');
    const arn = `arn:aws:iam::${build}:policy/man`;
    const policy = await a.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    expect(policy.Policy?.DefaultVersionId).toBe('v1');
    const version = await a.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: 'v1' }));
    expect(JSON.parse(version.PolicyVersion?.Document ?? '')).toEqual(doc);
  });

  it('knows AWS managed ECR policies (MOTO_IAM_LOAD_MANAGED_POLICIES)', async () => {
    const arn = 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly';
    const policy = await a.iam.send(new GetPolicyCommand({ PolicyArn: arn }));
    const version = await a.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.Policy?.DefaultVersionId }));
    expect(version.PolicyVersion?.Document).toContain('ecr:BatchGetImage');
  });
});

describe('moto CodeBuild', () => {
  it('round-trips environment, leaves imagePullCredentialsType absent, drops unknown names', async () => {
    const roleArn = `arn:aws:iam::${build}:role/not-created`;
    await createProject(a, { name: 'facts-p', image: 'aws/codebuild/standard:7.0', serviceRoleArn: roleArn });
    const got = await a.codebuild.send(new BatchGetProjectsCommand({ names: ['facts-p', 'facts-missing'] }));
    expect(got.projects?.map((p) => p.name)).toEqual(['facts-p']);
    expect(got.projectsNotFound).toBeUndefined();
    expect(got.projects?.[0]?.environment).toEqual({ type: 'LINUX_CONTAINER', image: 'aws/codebuild/standard:7.0', computeType: 'BUILD_GENERAL1_SMALL' });
    expect((await a.codebuild.send(new ListBuildsForProjectCommand({ projectName: 'facts-p' }))).ids).toEqual([]);
  });

  it('rejects a service role from another account', async () => {
    const other = createProject(a, { name: 'facts-q', image: 'x', serviceRoleArn: `arn:aws:iam::${registry}:role/r` });
    await expect(other).rejects.toMatchObject({ name: 'InvalidInputException' });
  });
});
