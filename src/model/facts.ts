import type { Fact } from './fact.js';

export type PullMode = 'CODEBUILD' | 'SERVICE_ROLE';

/**
 * A project or build environment variable. Only PLAINTEXT values are kept: PARAMETER_STORE and
 * SECRETS_MANAGER variables are named with their type and never carry a value (their `value`
 * on AWS is a reference, and the doctor never reads what it points to).
 */
export interface EnvironmentVariable {
  name: string;
  type: 'PLAINTEXT' | 'PARAMETER_STORE' | 'SECRETS_MANAGER';
  value?: string;
}

/** Where the build's buildspec and source come from (BatchGetProjects/BatchGetBuilds → source). */
export interface SourceInfo {
  /** CODECOMMIT, CODEPIPELINE, GITHUB, S3, NO_SOURCE, ... */
  type: string;
  location?: string;
  /** Inline YAML, or the name of a file in the source (default buildspec.yml when absent). */
  buildspec?: string;
}

export interface VpcConfigInfo {
  vpcId?: string;
  subnets: string[];
  securityGroupIds: string[];
}

/** What CodeBuild's BatchGetProjects told us, reduced to what a pull depends on. */
export interface ProjectInfo {
  name: string;
  arn: string;
  image: string;
  /** As configured; absent means CODEBUILD (DOMAIN.md §1). */
  imagePullCredentialsType?: PullMode;
  serviceRole?: string;
  registryCredential?: { credential: string; credentialProvider: string };
  environmentType?: string;
  computeType?: string;
  /** environment.privilegedMode: without it there is no Docker daemon in the build container. */
  privilegedMode?: boolean;
  environmentVariables?: EnvironmentVariable[];
  source?: SourceInfo;
  vpcConfig?: VpcConfigInfo;
}

export interface ProjectFacts {
  /** The name or ARN the user asked for. */
  requested: string;
  project: Fact<ProjectInfo>;
}

export interface ImageInfo {
  digest: string;
  tags: string[];
  status?: string;
  pushedAt?: string;
  sizeInBytes?: number;
}

/** One repository, keyed by its ARN; read once however many projects use it. */
export interface RepositoryFacts {
  arn: string;
  registryId: string;
  region: string;
  name: string;
  repository: Fact<{ uri?: string; createdAt?: string; encryptionType?: string }>;
  /** The repository policy text; absent = the repository has no policy. */
  policy: Fact<{ text: string }>;
  /** Keyed by the tag or `sha256:` digest asked for. */
  images: Record<string, Fact<ImageInfo>>;
  /** Some existing tags, for "did you mean" on a missing tag. */
  knownTags?: Fact<string[]>;
}

export interface NamedPolicy {
  name: string;
  arn?: string;
  /** Decoded JSON text. */
  document: string;
}

export interface RoleFacts {
  arn: string;
  role: Fact<{ name: string; path: string; permissionsBoundaryArn?: string }>;
  inlinePolicies: Fact<NamedPolicy[]>;
  attachedPolicies: Fact<NamedPolicy[]>;
  permissionsBoundary: Fact<NamedPolicy>;
}

export interface BuildPhaseContext {
  statusCode?: string;
  message?: string;
}

export interface BuildPhase {
  phaseType: string;
  phaseStatus?: string;
  contexts: BuildPhaseContext[];
}

export interface BuildInfo {
  id: string;
  arn?: string;
  projectName: string;
  buildStatus?: string;
  startTime?: string;
  /** What the build really ran with, per-build overrides included. */
  environment: {
    image?: string;
    imagePullCredentialsType?: PullMode;
    serviceRole?: string;
    privilegedMode?: boolean;
    environmentVariables?: EnvironmentVariable[];
    environmentType?: string;
    computeType?: string;
  };
  /** What the build ran: the project's source with per-build overrides (buildspecOverride) applied. */
  source?: SourceInfo;
  vpcConfig?: VpcConfigInfo;
  phases: BuildPhase[];
}

export interface BuildFacts {
  requested: string;
  build: Fact<BuildInfo>;
}

/** The eb-deploy context read from buildspec.yml and .elasticbeanstalk/config.yml. */
export interface EbContext {
  projectRoot: string;
  buildspecPath: string;
  applicationName?: string;
  region?: string;
  profile?: string;
  branch?: string;
  settings?: {
    codeBuildServiceRole?: string;
    image?: string;
    computeType?: string;
    timeout?: number;
  };
  /** False when buildspec.yml has no eb_codebuild_settings header. */
  hasSettings: boolean;
  /** What is wrong in buildspec.yml (unknown keys, wrong types), each with file:line:col. */
  problems?: string[];
  /** Where what ecr-doctor read differs from what eb deploy itself would read. */
  notes?: string[];
}

export interface CallerIdentity {
  account: string;
  arn: string;
  partition: string;
}

/**
 * Everything the checks look at. Plain JSON: a snapshot file is this object serialised, so
 * the same checks run live and offline.
 */
export interface Facts {
  schemaVersion: 1;
  generatedAt?: string;
  region: string;
  caller: Fact<CallerIdentity>;
  projects: ProjectFacts[];
  builds: BuildFacts[];
  eb?: EbContext;
  /** Images asked about directly with --image. */
  images: string[];
  repositories: Record<string, RepositoryFacts>;
  roles: Record<string, RoleFacts>;
}
