/**
 * Every check the doctor runs, with the words the reports use. `CheckId` is a closed union and
 * the catalogue a Record over it, so the compiler keeps the two complete (as attw does for its
 * problem kinds). Renderers (SARIF rules, JUnit suites) read titles and help from here.
 */
export type CheckId =
  | 'project-found'
  | 'image-reference'
  | 'pull-mode'
  | 'repository-exists'
  | 'image-exists'
  | 'codebuild-principal-can-pull'
  | 'service-role-can-pull'
  | 'repository-policy-open'
  | 'legacy-codebuild-principals'
  | 'eb-context'
  | 'role-rights-unused'
  | 'eb-source-arn-pinned'
  | 'build-failure-cause'
  | 'buildspec-pulls'
  | 'docker-daemon'
  | 'registry-login'
  | 'build-role-can-pull'
  | 'docker-hub-rate-limit'
  | 'platform'
  | 'image-size'
  | 'registry-credential'
  | 'build-network'
  | 'lifecycle-expiry'
  | 'pull-through-first-pull'
  | 'scope-read';

export interface CheckMeta {
  id: CheckId;
  title: string;
  /** What the check looks at and why it matters: the help text of a SARIF rule. */
  help: string;
}

export const CHECK_CATALOG: Record<CheckId, CheckMeta> = {
  'project-found': {
    id: 'project-found',
    title: 'CodeBuild project exists',
    help: 'The project named on the command line must exist in the account and region examined (BatchGetProjects).',
  },
  'image-reference': {
    id: 'image-reference',
    title: 'Build image reference is valid',
    help: 'The build image must be a well-formed reference. Curated aws/codebuild images, ECR Public and Docker Hub images need no repository policy.',
  },
  'pull-mode': {
    id: 'pull-mode',
    title: 'Pull credentials mode fits the image',
    help: 'CODEBUILD mode cannot pull a cross-account ECR image; SERVICE_ROLE mode cannot use a curated image; an ECR image in another region than the project fails at pull time; registryCredential is for private registries, not ECR.',
  },
  'repository-exists': {
    id: 'repository-exists',
    title: 'ECR repository exists',
    help: 'The repository named in the image URI must exist in the registry account and region of the URI (DescribeRepositories).',
  },
  'image-exists': {
    id: 'image-exists',
    title: 'Image tag or digest exists and is pullable',
    help: 'The tag or digest must exist (DescribeImages) and must not be ARCHIVED.',
  },
  'codebuild-principal-can-pull': {
    id: 'codebuild-principal-can-pull',
    title: 'Repository policy lets CodeBuild pull (CODEBUILD mode)',
    help: 'In CODEBUILD mode the service principal codebuild.amazonaws.com pulls the image; only the ECR repository policy can allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for it. The service role is not used for the pull.',
  },
  'service-role-can-pull': {
    id: 'service-role-can-pull',
    title: 'Service role may pull (SERVICE_ROLE mode)',
    help: "In SERVICE_ROLE mode the project's service role pulls the image: its identity policies must allow ecr:GetAuthorizationToken on * and the pull actions on the repository, its permissions boundary must allow them, and across accounts the repository policy must allow the role too.",
  },
  'repository-policy-open': {
    id: 'repository-policy-open',
    title: 'Repository policy does not let anyone pull',
    help: 'A statement with Principal "*" and no condition lets every AWS principal pull the image.',
  },
  'legacy-codebuild-principals': {
    id: 'legacy-codebuild-principals',
    title: 'No legacy CodeBuild account principals',
    help: 'Old repository policies trusted CodeBuild account roots (201349592320, 570169269855, 964771811575) instead of the service principal codebuild.amazonaws.com; replace them.',
  },
  'eb-context': {
    id: 'eb-context',
    title: 'eb deploy build settings are complete',
    help: 'buildspec.yml needs an eb_codebuild_settings header with CodeBuildServiceRole and Image for eb deploy to build with CodeBuild, and .elasticbeanstalk/config.yml needs the application name.',
  },
  'role-rights-unused': {
    id: 'role-rights-unused',
    title: "Service role's ECR rights are not used for a CODEBUILD-mode pull",
    help: 'In CODEBUILD mode (always the case for the temporary project eb deploy runs) the image is pulled by codebuild.amazonaws.com under the repository policy, so ECR rights on the service role (CodeBuildServiceRole) do not help.',
  },
  'eb-source-arn-pinned': {
    id: 'eb-source-arn-pinned',
    title: 'Repository policy conditions can match the temporary eb project',
    help: 'eb deploy names its temporary project Elastic-Beanstalk-<app>-<label>-<random>; a statement that pins aws:SourceArn to a fixed project (StringEquals/ArnEquals) never matches it.',
  },
  'build-failure-cause': {
    id: 'build-failure-cause',
    title: 'Cause of the failed build',
    help: "The PROVISIONING phase message of a failed build, classified: a missing grant, a missing tag, a Docker Hub rate limit, a logs permission or another cause.",
  },
  'buildspec-pulls': {
    id: 'buildspec-pulls',
    title: 'The pulls inside the build could be read',
    help: "The images a buildspec pulls (docker pull, run, create, build FROM lines, compose services) are found by reading the buildspec, its Dockerfiles and compose files with a shell, Dockerfile and YAML parser. A buildspec that is a file in the source can only be read from a checkout (or --buildspec FILE); a variable that cannot be resolved is named, never guessed.",
  },
  'docker-daemon': {
    id: 'docker-daemon',
    title: 'There is a Docker daemon for the docker commands of the buildspec',
    help: 'docker commands in a build need privileged mode (environment.privilegedMode): without it there is no Docker daemon and docker fails with "Cannot connect to the Docker daemon". Curated images start dockerd themselves in privileged mode; custom images must start it in the buildspec.',
  },
  'registry-login': {
    id: 'registry-login',
    title: 'Each private registry pulled inside the build has a docker login first',
    help: 'A docker pull or FROM of a private ECR image needs a docker login to that exact registry host (account and region) in an earlier command: aws ecr get-login-password --region R | docker login --username AWS --password-stdin <account>.dkr.ecr.R.amazonaws.com. The old aws ecr get-login does not exist in AWS CLI v2 (curated images standard:4.0 and later).',
  },
  'build-role-can-pull': {
    id: 'build-role-can-pull',
    title: 'The service role may pull the images the build pulls',
    help: "docker login in the build runs as the project's service role, whatever the project's pull mode: the role needs ecr:GetAuthorizationToken on * and the pull actions on each repository pulled, within its permissions boundary, and across accounts the owner's repository policy must allow it too.",
  },
  'docker-hub-rate-limit': {
    id: 'docker-hub-rate-limit',
    title: 'Docker Hub images are not pulled anonymously',
    help: 'Anonymous Docker Hub pulls are limited per IP address (10 per hour since April 2025) and CodeBuild hosts share addresses, so an anonymous pull fails at random with toomanyrequests. Use an ECR pull-through cache rule for Docker Hub, the ECR Public mirror public.ecr.aws/docker/library/<name>, or log in (registryCredential for the build image, docker login in the buildspec).',
  },
  platform: {
    id: 'platform',
    title: 'Image platform fits the environment type',
    help: 'LINUX_CONTAINER and LINUX_GPU_CONTAINER run linux/amd64, ARM_CONTAINER linux/arm64, WINDOWS_* Windows of the host release, the Lambda types single-architecture images (a fleet\'s environment wins). Read from the image index (ecr:BatchGetImage) or the config of a single-platform image (ecr:GetDownloadUrlForLayer); CodeBuild images by their documented family.',
  },
  'image-size': {
    id: 'image-size',
    title: 'Image fits the disk of the compute type',
    help: "DescribeImages' imageSizeInBytes is the compressed size; the build host's disk (documented per compute type, or the fleet's) must hold the image unpacked. A failure when the compressed size alone is larger than the disk, a warning past half of it.",
  },
  'registry-credential': {
    id: 'registry-credential',
    title: 'Private-registry credential secret is usable by the service role',
    help: 'registryCredential names a Secrets Manager secret (ARN, or name in the project\'s region); the service role must be allowed secretsmanager:GetSecretValue on it (identity policies, boundary, the secret\'s resource policy) and kms:Decrypt with its customer managed key. ecr-doctor never reads the secret value.',
  },
  'build-network': {
    id: 'build-network',
    title: 'A VPC build can reach ECR for the pulls inside the build',
    help: "A project with a VPC config runs its build container in the project's subnets, with no public IP address: a docker pull of an ECR image needs each subnet to route 0.0.0.0/0 to a NAT gateway (an internet gateway route alone does not work), or the interface endpoints com.amazonaws.<region>.ecr.api and .ecr.dkr with private DNS plus the S3 gateway endpoint on the subnets' route tables (layers come from S3). Endpoint policies must let the service role call ecr:GetAuthorizationToken, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer and s3:GetObject on prod-<region>-starport-layer-bucket (Amazon ECR User Guide, \"Amazon ECR interface VPC endpoints\").",
  },
  'pull-through-first-pull': {
    id: 'pull-through-first-pull',
    title: 'The first pull of a pull-through cache path can create its repository',
    help: 'A repository path a pull-through cache rule covers (its prefix, or ROOT) is created by its first pull: the puller (the service role, or codebuild.amazonaws.com through the registry policy) needs ecr:BatchImportUpstreamImage and ecr:CreateRepository, the creation template applied for PULL_THROUGH_CACHE shapes the new repository (its repository policy must let the puller pull), and Docker Hub, GitHub, GitLab and Azure upstreams need the rule to name a Secrets Manager secret whose name starts ecr-pullthroughcache/ (Amazon ECR User Guide, pull through cache).',
  },
  'lifecycle-expiry': {
    id: 'lifecycle-expiry',
    title: 'The lifecycle policy does not expire the pulled image',
    help: "ECR lifecycle rules (ecr:GetLifecyclePolicy) are evaluated locally against the repository's images (ecr:DescribeImages), as the ECR User Guide's \"Lifecycle policy evaluation rules\" say: by rulePriority, each image judged only by the first rule whose tag selection matches it, imageCountMoreThan keeping the newest N by push time, sinceImagePushed counting days. A warning when the image a project pulls is already eligible for expiry, or will be after N more pushes or on a date: the build that worked yesterday fails to pull today.",
  },
  'scope-read': {
    id: 'scope-read',
    title: 'The account and region could be read',
    help: 'A run over several accounts or regions (--accounts, --organization, --region a,b, --all-regions) reads each account × region on its own: a role that cannot be assumed (sts:AssumeRole), a region that is not enabled or cannot be listed is an error for that scope only, never the end of the run, and never a pass for what it holds.',
  },
};

export const CHECK_IDS = Object.keys(CHECK_CATALOG) as CheckId[];
