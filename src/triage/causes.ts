/** What a failed image pull can be attributed to, from the message text (DOMAIN.md §7). */
export type PullCause =
  | 'codebuild-not-trusted'
  | 'role-missing-permission'
  | 'role-explicit-deny'
  | 'layer-download-denied'
  | 'repository-missing-or-denied'
  | 'image-not-found'
  | 'docker-hub-rate-limit'
  | 'registry-credential-invalid'
  | 'invalid-image-reference'
  | 'logs-access-denied'
  | 'image-too-large'
  | 'in-build-pull'
  | 'docker-daemon-unavailable'
  | 'registry-login-missing'
  | 'ecr-get-login-removed'
  | 'platform-mismatch'
  | 'pull-mode-rejected'
  | 'registry-tls-error'
  | 'unknown';

export interface CauseDescription {
  title: string;
  meaning: string;
  /** True only when the message itself proves a missing or denied ECR grant. */
  isEcrGrantProblem: boolean;
}

// A Record over the union, so the compiler refuses a cause without a description.
const CAUSES: Record<PullCause, CauseDescription> = {
  'codebuild-not-trusted': {
    title: 'The repository policy does not trust CodeBuild',
    meaning:
      'CodeBuild pulled the image with its own identity (imagePullCredentialsType CODEBUILD, which eb deploy builds use) and the ECR repository policy does not allow codebuild.amazonaws.com; the service role is irrelevant to this pull.',
    isEcrGrantProblem: true,
  },
  'role-missing-permission': {
    title: 'The service role may not pull the image',
    meaning:
      'CodeBuild pulled the image with the project service role (imagePullCredentialsType SERVICE_ROLE) and no policy allows the ECR action it needed.',
    isEcrGrantProblem: true,
  },
  'role-explicit-deny': {
    title: 'An explicit Deny blocks the service role',
    meaning:
      'CodeBuild pulled the image with the project service role and a Deny statement (identity policy, boundary, repository policy or an organisation policy) refused the ECR action; a Deny always wins over an Allow.',
    isEcrGrantProblem: true,
  },
  'layer-download-denied': {
    title: 'The manifest was allowed but the layer download was denied',
    meaning:
      'ECR returned the image manifest (ecr:BatchGetImage) but refused ecr:GetDownloadUrlForLayer, so the grant lists BatchGetImage without GetDownloadUrlForLayer.',
    isEcrGrantProblem: true,
  },
  'repository-missing-or-denied': {
    title: 'Repository missing, or access denied',
    meaning:
      "Docker uses the same words for a repository that does not exist (wrong name, account or region) and for one it may not read, so the message alone cannot tell them apart.",
    isEcrGrantProblem: false,
  },
  'image-not-found': {
    title: 'The tag or digest does not exist',
    meaning:
      'The repository was reached but has no image with that tag or digest (or a pull-through cache could not import it upstream).',
    isEcrGrantProblem: false,
  },
  'docker-hub-rate-limit': {
    title: 'Docker Hub rate limit',
    meaning:
      'Docker Hub refused an anonymous (or over-quota) pull with HTTP 429; CodeBuild hosts share addresses, so the limit is hit without any fault in your grants. Not an ECR problem.',
    isEcrGrantProblem: false,
  },
  'registry-credential-invalid': {
    title: 'Private registry credentials rejected or unreadable',
    meaning:
      "The registry refused the username/password from the project's registryCredential secret, or CodeBuild could not read that secret from Secrets Manager. Not an ECR grant problem.",
    isEcrGrantProblem: false,
  },
  'invalid-image-reference': {
    title: 'Malformed image reference',
    meaning: 'The image string in the project (or eb_codebuild_settings Image) is not a valid Docker reference, so nothing was pulled.',
    isEcrGrantProblem: false,
  },
  'logs-access-denied': {
    title: 'The service role cannot write CloudWatch Logs',
    meaning:
      'The build failed because the service role may not create log streams or put log events under /aws/codebuild/<project>. Not an image problem.',
    isEcrGrantProblem: false,
  },
  'image-too-large': {
    title: 'Image too large for the compute type',
    meaning:
      "The image's uncompressed size does not fit the disk of the build's compute type (Docker reports \"no space left on device\" while extracting layers). Not an ECR grant problem.",
    isEcrGrantProblem: false,
  },
  'in-build-pull': {
    title: 'A pull inside the build failed',
    meaning:
      'The build environment image was pulled; a docker pull, docker login or Dockerfile FROM run by the buildspec failed. That pull uses the service role credentials you log in with, not the project pull settings.',
    isEcrGrantProblem: false,
  },
  'docker-daemon-unavailable': {
    title: 'No Docker daemon in the build container',
    meaning:
      'A docker command in the buildspec found no daemon at /var/run/docker.sock: CodeBuild starts dockerd only when the project has privilegedMode true (custom images must also start dockerd themselves).',
    isEcrGrantProblem: false,
  },
  'registry-login-missing': {
    title: 'No docker login to that registry before the pull',
    meaning:
      'Docker had no credentials for the registry host it pulled from ("no basic auth credentials"): the buildspec did not run docker login for that exact host (account and region) before the pull, or logged in to another one.',
    isEcrGrantProblem: false,
  },
  'ecr-get-login-removed': {
    title: '`aws ecr get-login` does not exist in AWS CLI v2',
    meaning:
      'The buildspec runs `aws ecr get-login`, which AWS CLI v2 removed (curated images standard:5.0 and later, amazonlinux2 4.0 and later ship v2), so the login never happened.',
    isEcrGrantProblem: false,
  },
  'platform-mismatch': {
    title: 'Image platform does not match the build environment',
    meaning:
      'The image has no variant for the platform it runs on (architecture or operating system): LINUX_CONTAINER runs linux/amd64, ARM_CONTAINER linux/arm64, WINDOWS_* Windows with a matching host version.',
    isEcrGrantProblem: false,
  },
  'pull-mode-rejected': {
    title: 'CodeBuild rejected the image and pull-mode combination',
    meaning:
      'CodeBuild refused the project settings before pulling anything: curated images need imagePullCredentialsType CODEBUILD, cross-account ECR images need SERVICE_ROLE, and some images only run on some environment types.',
    isEcrGrantProblem: false,
  },
  'registry-tls-error': {
    title: 'TLS certificate error talking to the registry',
    meaning:
      'Docker could not verify the registry certificate (x509). For ECR hosts that is almost always a proxy or firewall intercepting TLS, or a rare AWS-side problem; not a grant problem.',
    isEcrGrantProblem: false,
  },
  unknown: {
    title: 'Not recognised',
    meaning: 'ecr-doctor does not recognise this message.',
    isEcrGrantProblem: false,
  },
};

export const PULL_CAUSES = Object.keys(CAUSES) as PullCause[];

export function describeCause(cause: PullCause): CauseDescription {
  return CAUSES[cause];
}
