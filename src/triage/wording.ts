import { describeCause, type PullCause } from './causes.js';
import { isUmbrellaOnly, type PullDetails } from './rules.js';

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
      const type = /with an explicit deny in an? ([\w-]+) policy/.exec(text)?.[1];
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
      return isUmbrellaOnly(text)
        ? 'The text only has CodeBuild\'s umbrella words, which say the build image could not be pulled but not why; the reason is in the rest of the message (after "CannotPullContainerError:"), so paste all of it if you have it.'
        : 'CodeBuild could not pull the build image, but the reason it gives is not one ecr-doctor recognises.';
    default:
      return describeCause(cause).meaning;
  }
}

export function nextStepFor(cause: PullCause, details: PullDetails, target: NextStepTarget): string {
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
    case 'docker-hub-rate-limit':
      return 'Not an ECR grant problem: pull with Docker Hub credentials (registryCredential + SERVICE_ROLE), or copy the image to ECR or use public.ecr.aws/docker/library/..., then retry the build.';
    case 'registry-credential-invalid':
      return "Check the Secrets Manager secret named in the project's registryCredential (keys username and password) and that the service role may read it (secretsmanager:GetSecretValue, plus kms:Decrypt for a customer-managed key).";
    case 'invalid-image-reference':
      return `Fix the image string in the project or in eb_codebuild_settings; ecr-doctor doctor --image <uri> checks a reference before you use it.`;
    case 'logs-access-denied':
      return 'Not an image problem: allow the service role logs:CreateLogGroup, logs:CreateLogStream and logs:PutLogEvents on arn:aws:logs:<region>:<account>:log-group:/aws/codebuild/<project>*.';
    case 'image-too-large':
      return 'Not an ECR grant problem: choose a compute type with more disk (see "Build environment compute types") or make the image smaller; `docker images <repo>:<tag>` shows its size.';
    case 'in-build-pull':
      return 'Not the build image: log in before the pull in the buildspec (aws ecr get-login-password | docker login --username AWS --password-stdin <registry>) and give the service role ecr:GetAuthorizationToken on * plus the pull actions on the repository.';
    case 'unknown':
      return target.buildId
        ? `ecr-doctor doctor --build ${target.buildId}   (checks the image, pull mode and grants directly)`
        : 'ecr-doctor doctor --build <build-id>   (or --project <name>; checks the image, pull mode and grants directly)';
  }
}
