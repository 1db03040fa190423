// Emulator facts (moto 5.2.1 server, driven through AWS SDK v3): filled in below.
import { createHash } from 'node:crypto';
import {
  CreateRepositoryCommand,
  ECRClient,
  PutImageCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  IAMClient,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { CodeBuildClient, CreateProjectCommand, type ImagePullCredentialsType } from '@aws-sdk/client-codebuild';
import { STSClient } from '@aws-sdk/client-sts';
import type { Pluggable } from '@smithy/types';

export interface TestClients {
  ecr: ECRClient;
  iam: IAMClient;
  codebuild: CodeBuildClient;
  sts: STSClient;
  /** The account the x-moto-account-id header selects. */
  account: string;
}

export const TEST_REGION = 'us-east-1';
export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

/** Adds `x-moto-account-id` to every request so moto serves it from that account's backend. */
export function motoAccountPlugin<Input extends object, Output extends object>(account: string): Pluggable<Input, Output> {
  return {
    applyToStack(stack) {
      stack.add(
        (next) => async (args) => {
          const request = args.request as { headers?: Record<string, string> } | undefined;
          if (request?.headers) request.headers['x-moto-account-id'] = account;
          return next(args);
        },
        { step: 'build', name: 'motoAccountIdHeader' },
      );
    },
  };
}

/** SDK v3 clients pointed at moto, acting in `account`. */
export function makeTestClients(endpoint: string, account: string): TestClients {
  const config = { region: TEST_REGION, credentials: TEST_CREDENTIALS, endpoint, maxAttempts: 1 };
  const ecr = new ECRClient(config);
  const iam = new IAMClient(config);
  const codebuild = new CodeBuildClient(config);
  const sts = new STSClient(config);
  ecr.middlewareStack.use(motoAccountPlugin(account));
  iam.middlewareStack.use(motoAccountPlugin(account));
  codebuild.middlewareStack.use(motoAccountPlugin(account));
  sts.middlewareStack.use(motoAccountPlugin(account));
  return { ecr, iam, codebuild, sts, account };
}

/** Creates an ECR repository (and sets its policy when given); returns its URI and ARN. */
export async function createRepository(
  clients: TestClients,
  name: string,
  policy?: object,
): Promise<{ repositoryUri: string; repositoryArn: string }> {
  const out = await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: name }));
  if (policy !== undefined) {
    await clients.ecr.send(new SetRepositoryPolicyCommand({ repositoryName: name, policyText: JSON.stringify(policy) }));
  }
  return { repositoryUri: out.repository?.repositoryUri ?? '', repositoryArn: out.repository?.repositoryArn ?? '' };
}

function fakeDigest(seed: string): string {
  return `sha256:${createHash('sha256').update(seed).digest('hex')}`;
}

/** A minimal Docker image manifest (schema 2); config/layer digests derive from the seed so tags differ. */
export function makeImageManifest(seed: string): string {
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 1469, digest: fakeDigest(`config:${seed}`) },
    layers: [
      { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: 2811321, digest: fakeDigest(`layer:${seed}`) },
    ],
  });
}

/** Pushes a manifest tagged `tag` so DescribeImages/ListImages find it; returns the image digest. */
export async function putImage(clients: TestClients, repo: string, tag: string): Promise<{ imageDigest: string }> {
  const out = await clients.ecr.send(
    new PutImageCommand({
      repositoryName: repo,
      imageTag: tag,
      imageManifest: makeImageManifest(`${repo}:${tag}`),
      imageManifestMediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    }),
  );
  return { imageDigest: out.image?.imageId?.imageDigest ?? '' };
}

export const CODEBUILD_TRUST_POLICY = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }],
} as const;

export interface CreateRoleOptions {
  /** Inline policies by name. */
  inline?: Record<string, object>;
  /** Customer managed policies by name: created in the role's account, then attached. */
  managed?: Record<string, object>;
  /** Permissions boundary document: created as a managed policy, then set with PutRolePermissionsBoundary. */
  boundary?: object;
  path?: string;
  /** Defaults to a trust policy for codebuild.amazonaws.com. */
  assumeRolePolicy?: object;
}

/** Creates an IAM role with the given policies; returns the role ARN. */
export async function createRole(clients: TestClients, name: string, options: CreateRoleOptions = {}): Promise<string> {
  const role = await clients.iam.send(
    new CreateRoleCommand({
      RoleName: name,
      Path: options.path ?? '/',
      AssumeRolePolicyDocument: JSON.stringify(options.assumeRolePolicy ?? CODEBUILD_TRUST_POLICY),
    }),
  );
  const arn = role.Role?.Arn;
  if (!arn) throw new Error(`createRole: moto returned no ARN for ${name}`);
  for (const [policyName, doc] of Object.entries(options.inline ?? {})) {
    await clients.iam.send(
      new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: JSON.stringify(doc) }),
    );
  }
  for (const [policyName, doc] of Object.entries(options.managed ?? {})) {
    const policy = await clients.iam.send(
      new CreatePolicyCommand({ PolicyName: policyName, PolicyDocument: JSON.stringify(doc) }),
    );
    await clients.iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: policy.Policy?.Arn }));
  }
  if (options.boundary !== undefined) {
    const policy = await clients.iam.send(
      new CreatePolicyCommand({ PolicyName: `${name}-boundary`, PolicyDocument: JSON.stringify(options.boundary) }),
    );
    await clients.iam.send(
      new PutRolePermissionsBoundaryCommand({ RoleName: name, PermissionsBoundary: policy.Policy?.Arn }),
    );
  }
  return arn;
}

export interface CreateProjectOptions {
  name: string;
  image: string;
  serviceRoleArn: string;
  /** Omitted means absent from the request (moto then leaves it absent; treat as CODEBUILD). */
  imagePullCredentialsType?: ImagePullCredentialsType;
}

/**
 * Creates a CodeBuild project (S3 source, Linux container) using `image`; returns the project ARN.
 * moto rejects any source without a `location` ("Project source location is required"), NO_SOURCE included.
 */
export async function createProject(clients: TestClients, options: CreateProjectOptions): Promise<string> {
  const out = await clients.codebuild.send(
    new CreateProjectCommand({
      name: options.name,
      source: { type: 'S3', location: 'ecr-doctor-test-source/source.zip' },
      artifacts: { type: 'NO_ARTIFACTS' },
      environment: {
        type: 'LINUX_CONTAINER',
        image: options.image,
        computeType: 'BUILD_GENERAL1_SMALL',
        ...(options.imagePullCredentialsType ? { imagePullCredentialsType: options.imagePullCredentialsType } : {}),
      },
      serviceRole: options.serviceRoleArn,
    }),
  );
  return out.project?.arn ?? '';
}
