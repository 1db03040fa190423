// Test clients and fixture helpers for moto server (5.2.1), driven through the real SDK v3 clients.
//
// Emulator facts, established by calls through the SDK and by reading moto's source
// (asserted in test/support/moto-facts.test.ts, so an upgrade that changes them fails loudly):
//
// ECR
// - GetRepositoryPolicy, no policy: RepositoryPolicyNotFoundException (400). Unknown repository:
//   RepositoryNotFoundException (400). Same names as AWS.
// - SetRepositoryPolicy runs moto's IAM policy validator with the Resource / Version / Sid-
//   uniqueness checks switched off: invalid JSON, `{}` or a statement without Action ->
//   InvalidParameterException "Invalid parameter at 'PolicyText' failed to satisfy constraint:
//   'Invalid repository policy provided'". Principals are NOT checked (an ARN of a role that does
//   not exist is accepted; AWS would reject it), Resource is allowed. `force` is accepted and
//   ignored. It answers {registryId, repositoryName, policyText} with policyText byte-for-byte as
//   sent (whitespace kept), and GetRepositoryPolicy returns the same text.
// - registryId of ANOTHER account: moto looks only in the CALLER's backend (x-moto-account-id)
//   and filters by registryId, so GetRepositoryPolicy / DescribeImages / SetRepositoryPolicy give
//   RepositoryNotFoundException "...in the registry with id '<other>'", DescribeRepositories
//   without names gives []. Cross-account tests must therefore read the registry account with
//   clients whose header names THAT account (one client set per account), not via registryId.
// - DescribeImages, missing tag or digest: ImageNotFoundException (400), message
//   "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist within ...".
//   By digest works. imageStatus is never returned; imageSizeInBytes is bogus (1); the other
//   tags of the same digest come back in imageTags. ListImages lists one entry per tag plus
//   untagged digests, and ignores filter.tagStatus.
// - PutImage of the same manifest + tag twice: ImageAlreadyExistsException. BatchGetImage works
//   (missing tag -> failures[{failureCode:'ImageNotFound'}]) but may report another tag of the
//   digest. BatchCheckLayerAvailability, GetDownloadUrlForLayer and PutImage with a non-JSON
//   manifest answer an HTML 500: the SDK throws SyntaxError. GetAuthorizationToken works.
// IAM
// - GetRole takes the bare name (RoleName 'service-role/x' -> NoSuchEntityException); the ARN
//   and Path keep the path. GetRole.AssumeRolePolicyDocument and GetRolePolicy.PolicyDocument
//   are URL-encoded (RFC 3986 style, '/' kept, '*' -> %2A) as on AWS; GetPolicyVersion and
//   CreatePolicyVersion Document are NOT encoded (raw JSON; AWS encodes it). Decode: parse as
//   JSON when it starts with '{', else decodeURIComponent first.
// - CreateRole does not validate the trust policy (even '{bad' is stored); Put*Policy does
//   (MalformedPolicyDocumentException, e.g. "Policy statement must contain resources.").
// - Permissions boundary: CreateRole PermissionsBoundary and PutRolePermissionsBoundary both
//   work (the policy ARN is NOT checked to exist); GetRole returns PermissionsBoundary
//   {PermissionsBoundaryType:'PermissionsBoundaryPolicy', PermissionsBoundaryArn};
//   DeleteRolePermissionsBoundary removes it.
// - ListAttachedRolePolicies -> [{PolicyName, PolicyArn}]. GetPolicy.DefaultVersionId is 'v1'
//   and follows CreatePolicyVersion SetAsDefault ('v2'). Unknown policy: NoSuchEntityException.
// - AWS managed policies (arn:aws:iam::aws:policy/...) exist only when the server runs with
//   MOTO_IAM_LOAD_MANAGED_POLICIES=true (our globalSetup sets it), with their real
//   DefaultVersionId (AmazonEC2ContainerRegistryReadOnly: v3; ...PullOnly: v1).
// - SimulatePrincipalPolicy: HTML 500, SDK throws "XML parse error".
// CodeBuild
// - CreateProject requires source.location for every type, NO_SOURCE included ("Project
//   source location is required"); serviceRole must start with arn:aws:iam::<caller>:role/
//   (else InvalidInputException "Invalid service role: Service role account ID does not match
//   caller's account"); the role need not exist. environment round-trips verbatim
//   (registryCredential, privilegedMode, environmentVariables); an omitted
//   imagePullCredentialsType stays absent (AWS defaults it to CODEBUILD).
// - BatchGetProjects never returns projectsNotFound: unknown names are silently dropped; names
//   may be ARNs. ListProjects works. ListBuilds / ListBuildsForProject work ([] before any build;
//   unknown project -> ResourceNotFoundException). StartBuild creates the build server-side but
//   the SDK fails to parse the answer (TypeError "Expected real number, got implicit NaN").
//   UpdateProject is not implemented (HTML -> SyntaxError).
// STS
// - GetCallerIdentity honours x-moto-account-id: {Account:<header>, Arn:'arn:aws:sts::<acct>:user/moto',
//   UserId:'AKIAIOSFODNN7EXAMPLE'}.
// AccessDenied
// - Possible, but only server-wide: POST /moto-api/reset-auth with body '0' turns enforcement on
//   (body 'inf' off); INITIAL_NO_AUTH_ACTION_COUNT in the server env does the same at start.
//   Requests must then be signed with access keys created in moto (createRestrictedCredentials);
//   the account comes from the key. Only identity policies are evaluated.
// - IAM (query/XML protocol) denial parses: error name 'AccessDenied', httpStatusCode 403,
//   message "User: arn:aws:iam::<acct>:user/<u> is not authorized to perform: iam:GetRole".
// - ECR and CodeBuild (JSON protocol) denial comes back as XML <ErrorResponse>...<Code>AccessDenied
//   with content-type text/html and status 403: the SDK throws name 'SyntaxError' with
//   $metadata.httpStatusCode 403. So on moto an ECR/CodeBuild AccessDenied is only recognisable
//   by the 403; for the real AccessDeniedException shape replay recorded AWS responses.
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

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * SDK v3 clients pointed at moto, acting in `account`. `credentials` defaults to the fake static
 * pair; pass keys from createRestrictedCredentials (moto-auth.ts) on a server with IAM auth on.
 */
export function makeTestClients(
  endpoint: string,
  account: string,
  credentials: TestCredentials = TEST_CREDENTIALS,
  region: string = TEST_REGION,
): TestClients {
  // maxAttempts 1: a moto error is deterministic, retrying only slows the failing test down.
  const config = { region, credentials, endpoint, maxAttempts: 1 };
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
