import { describeCause, type PullCause } from './causes.js';
import type { PullDetails } from './details.js';
import { ECR_HOST, ECR_PUBLIC_HOST } from './rules.js';

/** What the next command should point at: a build we read, a project, or a placeholder. */
export interface NextStepTarget {
  buildId?: string;
  projectName?: string;
}

function targetFlag(target: NextStepTarget): string {
  if (target.buildId) return `--build ${target.buildId}`;
  if (target.projectName) return `--project ${target.projectName}`;
  return '--project <name>';
}

function on(details: PullDetails): string {
  return details.repository ? ` on repository ${details.repository}` : '';
}

export function summarise(cause: PullCause, details: PullDetails, text: string, umbrella: boolean): string {
  const action = details.action ?? 'the pull actions';
  switch (cause) {
    case 'codebuild-not-trusted':
      return details.explicitDeny
        ? `A Deny statement refuses codebuild.amazonaws.com ${action}${on(details)}; CodeBuild pulled with its own identity (CODEBUILD mode), so only the repository policy (or an organisation policy) can be the cause.`
        : `The ECR repository policy${on(details)} does not allow codebuild.amazonaws.com to pull; CodeBuild pulled with its own identity (CODEBUILD mode, as eb deploy builds do), so granting the service role more rights will not help.`;
    case 'role-missing-permission': {
      const role = details.roleName ? `The service role ${details.roleName}` : 'The role that pulled';
      // IAM names the policy type that failed to allow: a resource-based one means the repository
      // policy on the owner's side (cross-account), an identity-based one means the role's own policies.
      const where = /because no resource-based policy allows/.test(text)
        ? 'the repository policy (owner account) does not allow it'
        : /because no identity-based policy allows/.test(text)
          ? 'no identity-based policy allows it'
          : 'nothing allows it (the message does not say which policy lacks the Allow)';
      return `${role} may not perform ${action}${on(details)}: ${where}.`;
    }
    case 'role-explicit-deny': {
      const role = details.roleName ? `the service role ${details.roleName}` : 'the role that pulled';
      const type = /with an explicit deny in an? ([\w-]{1,32}) policy/.exec(text)?.[1];
      const inPolicy = type ? ` in ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type} policy` : '';
      return `A Deny${inPolicy} refuses ${action} to ${role}${on(details)}; an Allow elsewhere cannot override it.`;
    }
    case 'layer-download-denied':
      return `ECR served the manifest but refused ecr:GetDownloadUrlForLayer${on(details)}: the grant that allows ecr:BatchGetImage lacks GetDownloadUrlForLayer.`;
    case 'repository-missing-or-denied':
      return `${details.image ? `The image ${details.image}` : 'The image'} could not be pulled: the repository does not exist where the URI points (name, account, region) or the puller may not read it; the message cannot tell which.`;
    case 'image-not-found':
      return `${details.image ? `${details.image} was` : 'The image was'} not found: the repository exists but has no such tag or digest.`;
    case 'unknown':
      if (!umbrella) return 'ecr-doctor does not recognise this message.';
      // classify passes '' when the text holds nothing beyond the umbrella words (isUmbrellaOnly).
      return text === ''
        ? 'The text only has CodeBuild\'s umbrella words, which say the build image could not be pulled but not why; the reason is in the rest of the message (after "CannotPullContainerError:"), so paste all of it if you have it.'
        : 'CodeBuild could not pull the build image, but the reason it gives is not one ecr-doctor recognises.';
    case 'docker-daemon-unavailable':
      return `A docker command in the buildspec${pulling(details)} found no Docker daemon at /var/run/docker.sock: the project runs without privilegedMode, so CodeBuild did not start dockerd (a custom image must also start it itself).`;
    case 'registry-login-missing': {
      const host = registryOf(details.image);
      return `Docker had no credentials for ${host ?? 'the registry'}${details.image ? ` when it pulled ${details.image}` : ''}: no docker login to that exact host (account and region) ran before the pull.`;
    }
    case 'ecr-get-login-removed':
      return 'The buildspec runs `aws ecr get-login`, which AWS CLI v2 no longer has (curated images standard:5.0+ and amazonlinux2 4.0+ ship v2): the login never ran, so the pulls after it fail too.';
    case 'platform-mismatch':
      return `${details.image ? `The image ${details.image}` : 'The image'} has no variant for the platform it runs on (architecture or OS): LINUX_CONTAINER runs linux/amd64, ARM_CONTAINER linux/arm64, WINDOWS_* Windows.`;
    case 'docker-hub-rate-limit':
      if (details.inBuild) {
        return `Docker Hub refused ${details.image ? `the pull of ${details.image}` : 'a pull'} inside the build (a docker pull or Dockerfile FROM without a Docker Hub login) with HTTP 429: anonymous pulls are rate-limited per IP and CodeBuild hosts share addresses. Not an ECR problem.`;
      }
      return describeCause(cause).meaning;
    case 'pull-mode-rejected': {
      // CodeBuild's validation messages (ProjectEnvironment.imagePullCredentialsType, API reference).
      if (/curated image with imagePullCredentialsType SERVICE_ROLE/i.test(text)) {
        return 'CodeBuild refused the project: a CodeBuild curated image (aws/codebuild/...) must be pulled with imagePullCredentialsType CODEBUILD, and the project asks for SERVICE_ROLE. Nothing was pulled.';
      }
      if (/cross-account ECR image with imagePullCredentialsType CODEBUILD/i.test(text)) {
        return "CodeBuild refused the project: an ECR image in another account must be pulled with imagePullCredentialsType SERVICE_ROLE (the service role, allowed by the owner's repository policy), and the project asks for CODEBUILD. Nothing was pulled.";
      }
      const type = /environment type ([A-Za-z0-9_]{1,64})/.exec(text)?.[1];
      return `CodeBuild refused the project: the image does not run on environment type ${type ?? 'it names'} (or its name is misspelt, such as standard:4:0 for standard:4.0). Nothing was pulled.`;
    }
    case 'registry-tls-error':
      return isEcr(details, text)
        ? 'Docker could not verify the TLS certificate of an ECR host (x509): ECR serves certificates from a public CA, so a proxy or firewall intercepting TLS is the usual cause, rarely a short AWS-side problem. Not a grant problem.'
        : 'Docker could not verify the registry TLS certificate (x509): a proxy intercepting TLS, or a certificate the build image does not trust or that has expired. Not a grant problem.';
    default:
      return describeCause(cause).meaning;
  }
}

function pulling(details: PullDetails): string {
  return details.image ? ` (pulling ${details.image})` : '';
}

/** The registry host of an image reference, when it names one. */
function registryOf(image: string | undefined): string | undefined {
  const first = image?.split('/')[0];
  if (!image?.includes('/') || !first) return image ? 'Docker Hub' : undefined;
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : 'Docker Hub';
}

function isEcr(details: PullDetails, text: string): boolean {
  return [details.image ?? '', text].some((t) => ECR_HOST.test(t) || ECR_PUBLIC_HOST.test(t));
}

/** ECR Public mirrors Docker Hub's official images only (https://gallery.ecr.aws/docker/library). */
function mirrorOf(image: string | undefined): string {
  if (!image) return 'public.ecr.aws/docker/library/<name>';
  const name = image.replace(/^(?:docker\.io\/|registry-1\.docker\.io\/|index\.docker\.io\/)/, '').replace(/^library\//, '');
  return name.includes('/') ? 'public.ecr.aws/docker/library/<name>' : `public.ecr.aws/docker/library/${name}`;
}

/** `text` is the line that decided the cause (the TLS advice depends on the host it names). */
export function nextStepFor(cause: PullCause, details: PullDetails, target: NextStepTarget, text = ''): string {
  const flag = targetFlag(target);
  switch (cause) {
    case 'codebuild-not-trusted':
    case 'layer-download-denied': {
      // eb deploy's temporary project is gone after the build and the next one has a new name:
      // the grant must cover the application's pattern, which only the buildspec context knows.
      const eb = 'ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder: grants every temporary project eb deploy creates for the application)';
      if (target.buildId?.startsWith('Elastic-Beanstalk-')) return eb;
      const step = `ecr-doctor fix ${flag} --dry-run   (shows the repository-policy statement it would add; run without --dry-run to apply)`;
      return target.buildId || target.projectName ? step : `${step}; for eb deploy: ${eb}`;
    }
    case 'role-missing-permission':
      return `ecr-doctor doctor ${flag}   (names the policy that lacks ${details.action ?? 'the pull action'})`;
    case 'role-explicit-deny':
      return `ecr-doctor doctor ${flag}   (finds the Deny statement; ecr-doctor never removes a Deny for you)`;
    case 'repository-missing-or-denied':
      return `ecr-doctor doctor ${flag}   (checks the image URI, account, region, repository and its policy)`;
    case 'image-not-found':
      return `ecr-doctor doctor ${flag}   (lists the tags that do exist)`;
    case 'docker-hub-rate-limit': {
      const mirror = mirrorOf(details.image);
      if (details.inBuild) {
        return `Not an ECR grant problem: in the buildspec, pull through an ECR pull-through cache rule for Docker Hub, or from ECR Public's mirror ${mirror}, or log in to Docker Hub before the pull (docker login with a token from Secrets Manager); then retry. ecr-doctor doctor ${flag} lists the anonymous Docker Hub pulls (check docker-hub-rate-limit).`;
      }
      return `Not an ECR grant problem: use an ECR pull-through cache rule for Docker Hub, ECR Public's mirror ${mirror}, or Docker Hub credentials (registryCredential + SERVICE_ROLE for the build image; docker login in the buildspec for pulls inside the build), or copy the image to ECR; then retry the build. ecr-doctor doctor ${flag} names the anonymous Docker Hub pulls, the build image's included (check docker-hub-rate-limit).`;
    }
    case 'docker-daemon-unavailable':
      return `Turn on privilegedMode for the project (console: Environment > Privileged); a custom image must also start dockerd in the buildspec. ecr-doctor doctor ${flag} confirms it and prints the update-project command that keeps the rest of the environment (check docker-daemon).`;
    case 'registry-login-missing':
    case 'ecr-get-login-removed': {
      const host = ECR_HOST.exec(details.image ?? '')?.[0] ?? '<account>.dkr.ecr.<region>.amazonaws.com';
      const region = /\.dkr\.ecr(?:-fips)?\.([a-z0-9-]{1,32})\.amazonaws\.com/.exec(host)?.[1] ?? '<region>';
      const login = `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${host}`;
      const first = cause === 'ecr-get-login-removed' ? 'Replace `$(aws ecr get-login ...)` in the buildspec with' : 'Log in to that registry before the pull:';
      return `${first} ${login} (another registry: docker login <host> with credentials from Secrets Manager). ecr-doctor doctor ${flag} checks the buildspec's logins and prints the line for each registry pulled (check registry-login).`;
    }
    case 'platform-mismatch':
      return `Use an image with a variant for the environment's platform (docker buildx build --platform linux/amd64,linux/arm64 ...), or pick the environment type that matches the image (LINUX_CONTAINER amd64, ARM_CONTAINER arm64); ecr-doctor doctor ${flag} compares them (check platform).`;
    case 'pull-mode-rejected':
      return `Match imagePullCredentialsType to the image: CODEBUILD for curated aws/codebuild/* images, SERVICE_ROLE for an image in another account or a private registry, and an environment type the image supports; ecr-doctor doctor ${flag} checks the pull mode (check pull-mode).`;
    case 'registry-tls-error':
      return isEcr(details, text)
        ? 'Retry the build; check the AWS Health Dashboard for Amazon ECR in that region, and any proxy or firewall that intercepts TLS (exempt *.dkr.ecr.*.amazonaws.com and the S3 layer downloads, or add its CA to the image). ecr-doctor doctor cannot see this.'
        : 'Check any proxy or firewall that intercepts TLS (add its CA to the build image, or exempt the registry), and the registry certificate itself; then retry. ecr-doctor doctor cannot see this.';
    case 'registry-credential-invalid':
      return "Check the Secrets Manager secret named in the project's registryCredential (keys username and password) and that the service role may read it (secretsmanager:GetSecretValue, plus kms:Decrypt for a customer-managed key).";
    case 'invalid-image-reference':
      return `Fix the image string in the project or in eb_codebuild_settings; ecr-doctor doctor --image <uri> checks a reference before you use it.`;
    case 'logs-access-denied':
      return 'Not an image problem: allow the service role logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:<region>:<account>:log-group:/aws/codebuild/<project>*.';
    case 'image-too-large':
      return 'Not an ECR grant problem: choose a compute type with more disk (see "Build environment compute types") or make the image smaller; `docker images <repo>:<tag>` shows its size.';
    case 'in-build-pull':
      return `Not the build image: log in before the pull in the buildspec (aws ecr get-login-password | docker login --username AWS --password-stdin <registry>) and give the service role ecr:GetAuthorizationToken on * plus the pull actions on the repository; ecr-doctor doctor ${flag} checks both (checks registry-login, build-role-can-pull).`;
    case 'unknown':
      return target.buildId
        ? `ecr-doctor doctor --build ${target.buildId}   (checks the image, pull mode and grants directly)`
        : 'ecr-doctor doctor --build <build-id>   (or --project <name>; checks the image, pull mode and grants directly)';
  }
}
