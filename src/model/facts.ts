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
  /** environment.fleet.fleetArn: the project runs on a reserved-capacity fleet (its environment wins). */
  fleetArn?: string;
}

export type BuildPhaseName = 'install' | 'pre_build' | 'build' | 'post_build';

/** Where a command sits in the buildspec: phases run in this order; `finally` blocks after their phase's commands. */
export interface CommandPlace {
  phase: BuildPhaseName;
  /** 0-based index of the command in its phase (finally commands follow the others). */
  index: number;
  finally?: boolean;
  /** The command as written, shortened for messages. */
  command: string;
}

/** An image a command of the buildspec pulls: `docker pull`, `run`, `create`, a Dockerfile `FROM`, a compose service. */
export interface InBuildPull extends CommandPlace {
  kind: 'pull';
  via: 'docker pull' | 'docker run' | 'docker create' | 'docker build' | 'docker compose';
  /** The image with every variable resolved; absent when a part could not be resolved. */
  image?: string;
  /** The reference as written, when it holds variables (`$REPOSITORY_URI:1`). */
  expression?: string;
  /** Why `image` is absent: the variables that stayed unresolved, each with why. */
  unresolved?: string[];
  platform?: string;
  /** For a Dockerfile FROM: the Dockerfile and its line. */
  dockerfile?: string;
  line?: number;
}

/** A `docker login` the buildspec makes, in any of its spellings. */
export interface InBuildLogin extends CommandPlace {
  kind: 'login';
  method: 'get-login-password' | 'get-login' | 'docker-login' | 'credential-helper';
  /** Registry hosts logged in to (`docker.io` for Docker Hub); `*.ecr` hosts for a credsStore helper. */
  hosts: string[];
  /** For `aws ecr get-login-password` / `get-login`: the region the token is for, when known. */
  region?: string;
  /** For `get-login`: the registry ids asked for (default: the caller's account). */
  registryIds?: string[];
  /** Parts that stayed unresolved (`$ACCOUNT.dkr.ecr...`). */
  unresolved?: string[];
}

export interface DaemonStart extends CommandPlace {
  kind: 'daemon-start';
}

/** Any command that needs a Docker daemon (docker build, push, pull, run, compose...). */
export interface DockerUse extends CommandPlace {
  kind: 'docker';
}

export type BuildspecStep = InBuildPull | InBuildLogin | DaemonStart | DockerUse;

/** The buildspec a build runs and what it does with Docker, read once by the source (live or snapshot). */
export interface BuildspecFacts {
  /** Where it came from, in words for the report: "the project's inline buildspec", "./buildspec.yml (local checkout)". */
  origin: string;
  path?: string;
  /** Docker steps in the order the build runs them. */
  steps: BuildspecStep[];
  /** Files the buildspec refers to that could not be read here (a Dockerfile in the source, say), each with what to do. */
  missing?: string[];
  /** Problems reading it (YAML, a command the shell parser rejects), each one sentence. */
  problems?: string[];
}

export interface ProjectFacts {
  /** The name or ARN the user asked for. */
  requested: string;
  project: Fact<ProjectInfo>;
  /**
   * The buildspec the project runs: absent when the project has none we could know of;
   * unreadable when it names a file in the source that is not at hand.
   */
  buildspec?: Fact<BuildspecFacts>;
}

export interface ImageInfo {
  digest: string;
  tags: string[];
  status?: string;
  pushedAt?: string;
  sizeInBytes?: number;
  /** DescribeImages imageManifestMediaType: tells a manifest list / OCI index from a single manifest. */
  manifestMediaType?: string;
  /**
   * The platforms the image offers: from the index (BatchGetImage) or the config blob of a single
   * manifest (GetDownloadUrlForLayer). Undefined: not read (not needed, or an older snapshot).
   */
  platforms?: Fact<ImagePlatform[]>;
}

/** One platform of an image (OCI image index `platform`, or an image config's os/architecture). */
export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
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
  /** The repository's resource tags (ListTagsForResource), for aws:ResourceTag/… conditions. */
  tags?: Fact<Record<string, string>>;
  /** The lifecycle policy text (ecr:GetLifecyclePolicy); absent = the repository has none. */
  lifecycle?: Fact<{ text: string }>;
  /** The repository's images (DescribeImages, paged and bounded), read only when a lifecycle policy exists. */
  imageList?: Fact<{ images: ListedImage[]; complete: boolean }>;
}

/** One image of a repository listing: what lifecycle rules select and count by. */
export interface ListedImage {
  digest: string;
  tags: string[];
  pushedAt?: string;
  status?: string;
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
    registryCredential?: { credential: string; credentialProvider: string };
    fleetArn?: string;
  };
  /** What the build ran: the project's source with per-build overrides (buildspecOverride) applied. */
  source?: SourceInfo;
  vpcConfig?: VpcConfigInfo;
  phases: BuildPhase[];
}

export interface BuildFacts {
  requested: string;
  build: Fact<BuildInfo>;
  /** What the build ran (its source's buildspec, overrides included). */
  buildspec?: Fact<BuildspecFacts>;
  /** How the build was chosen (--last-failed), for --verbose. */
  note?: string;
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

/** One route of a route table (DescribeRouteTables → Routes), reduced to where it leads. */
export interface RouteInfo {
  /** A CIDR (`0.0.0.0/0`), an IPv6 CIDR or a prefix list id (`pl-...`, a gateway endpoint's route). */
  destination: string;
  /** `nat-...`, `igw-...`, `vpce-...`, `tgw-...`, `eni-...`, `pcx-...`, `local`, ... */
  target: string;
  /** `active` or `blackhole`. */
  state?: string;
}

export interface RouteTableInfo {
  id: string;
  /** The VPC's main route table, used by every subnet without an explicit association. */
  main: boolean;
  routes: RouteInfo[];
}

/** A VPC endpoint (DescribeVpcEndpoints). */
export interface VpcEndpointInfo {
  id: string;
  /** `com.amazonaws.<region>.ecr.api`, `.ecr.dkr`, `.s3`, ... */
  serviceName: string;
  /** Interface, Gateway or GatewayLoadBalancer. */
  type: string;
  state?: string;
  privateDnsEnabled?: boolean;
  /** For a gateway endpoint: the route tables it adds its prefix-list route to. */
  routeTableIds: string[];
  subnetIds: string[];
  /** The endpoint policy text (AWS returns the full-access default when none was set). */
  policy?: string;
}

/** The network a VPC-configured build runs in, keyed by VPC id; read once however many projects use it. */
export interface NetworkFacts {
  vpcId: string;
  region: string;
  /** The route table each subnet uses (its own association, else the VPC's main table), keyed by subnet id. */
  subnetRouteTables: Record<string, Fact<RouteTableInfo>>;
  endpoints: Fact<VpcEndpointInfo[]>;
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
  /**
   * A buildspec given with --buildspec: for eb deploy's temporary project (with eb settings), and for
   * the pulls a buildspec makes when no project is named.
   */
  buildspec?: Fact<BuildspecFacts>;
  repositories: Record<string, RepositoryFacts>;
  roles: Record<string, RoleFacts>;
  /** Reserved-capacity fleets projects run on, keyed by fleet ARN (codebuild:BatchGetFleets). */
  fleets?: Record<string, FleetFacts>;
  /** registryCredential secrets, keyed by `<region>|<credential as the project names it>`. */
  secrets?: Record<string, SecretFacts>;
  /** The account's project names (codebuild:ListProjects), read only when a named project was not found: for "did you mean". */
  projectNames?: Fact<string[]>;
  /** The VPCs of VPC-configured builds that pull from ECR inside the build, keyed by VPC id. */
  networks?: Record<string, NetworkFacts>;
  /** The registries the images live in, keyed by registryKey(registryId, region). */
  registries?: Record<string, RegistryFacts>;
  /** Where each resource (keyed by ARN) was read from, for facts from infrastructure code (issue 13). */
  locations?: Record<string, FactLocation>;
  /** Facts from code deployed to an account the code does not name: the placeholder id used for it. */
  unknownAccount?: string;
}

export interface FleetInfo {
  arn: string;
  name?: string;
  environmentType?: string;
  computeType?: string;
  /** computeConfiguration.disk (GB), for ATTRIBUTE_BASED_COMPUTE / CUSTOM_INSTANCE_TYPE fleets. */
  diskGb?: number;
}

export interface FleetFacts {
  arn: string;
  fleet: Fact<FleetInfo>;
}

/** What DescribeSecret says; never the value (the doctor never calls GetSecretValue). */
export interface SecretInfo {
  arn: string;
  name: string;
  /** KmsKeyId as DescribeSecret gives it (ARN, id or alias); absent = the AWS managed key aws/secretsmanager. */
  kmsKeyId?: string;
}

export interface KmsKeyInfo {
  arn: string;
  /** AWS (aws/secretsmanager) or CUSTOMER: only a customer managed key needs kms:Decrypt for the role. */
  keyManager: string;
}

export interface SecretFacts {
  /** The credential as the project names it (ARN or name). */
  credential: string;
  region: string;
  secret: Fact<SecretInfo>;
  /** GetResourcePolicy; absent = no resource policy. */
  resourcePolicy: Fact<{ text: string }>;
  /** DescribeKey, read when the secret names a key. */
  kmsKey?: Fact<KmsKeyInfo>;
  /** GetKeyPolicy (policy name "default"), read for a customer managed key. */
  keyPolicy?: Fact<{ text: string }>;
}

export type RegistryPolicyScope = 'V1' | 'V2';

/**
 * One private registry (an account in a region): what ECR decides there above the repository.
 * GetAccountSetting and GetRegistryPolicy take no registryId, so another account's registry is
 * always unreadable from here (ECR API Reference, GetAccountSetting / GetRegistryPolicy).
 */
export interface RegistryFacts {
  registryId: string;
  region: string;
  /** GetAccountSetting(name=REGISTRY_POLICY_SCOPE). */
  policyScope: Fact<{ scope: RegistryPolicyScope }>;
  /** GetRegistryPolicy; absent = the registry has no policy (RegistryPolicyNotFoundException). */
  policy: Fact<{ text: string }>;
  /**
   * DescribePullThroughCacheRules (all pages). Optional: snapshots written before it was read lack
   * it, and a check then says it could not tell, never that a path is not a cache path.
   */
  pullThroughRules?: Fact<PullThroughRule[]>;
  /** DescribeRepositoryCreationTemplates (all pages); optional for the same reason. */
  creationTemplates?: Fact<CreationTemplate[]>;
}

/** A pull-through cache rule (ECR API Reference, "PullThroughCacheRule"). */
export interface PullThroughRule {
  /** ecrRepositoryPrefix; "ROOT" = the rule covers every repository path. */
  prefix: string;
  upstreamRegistryUrl: string;
  /** e.g. docker-hub, ecr-public, quay, k8s, github-container-registry, gitlab-container-registry, azure-container-registry, ecr. */
  upstreamRegistry?: string;
  /** The Secrets Manager secret with the upstream credentials. */
  credentialArn?: string;
}

/** A repository creation template (ECR API Reference, "RepositoryCreationTemplate"). */
export interface CreationTemplate {
  /** The repository namespace prefix; "ROOT" = the default template. */
  prefix: string;
  /** PULL_THROUGH_CACHE, REPLICATION, CREATE_ON_PUSH. */
  appliedFor: string[];
  /** The repository policy the new repository gets. */
  repositoryPolicy?: string;
}

export function registryKey(registryId: string, region: string): string {
  return `${registryId}/${region}`;
}

export type FactSource = 'terraform-plan' | 'terraform' | 'cloudformation' | 'live';

/** A resource's origin: the Terraform address or template logical id, and its file and line when known. */
export interface FactLocation {
  source: FactSource;
  address?: string;
  file?: string;
  line?: number;
}
