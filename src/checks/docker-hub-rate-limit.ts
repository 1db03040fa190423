import type { Check } from './check.js';
import { resultsFor } from './check.js';
import { DOCKER_HUB_HOSTS, loginsBefore, placeOf, stepsAround } from './in-build-steps.js';

const WAYS_OUT = 'an ECR pull-through cache rule for Docker Hub, the ECR Public mirror public.ecr.aws/docker/library/<name> for official images, or a Docker Hub login';

/**
 * Anonymous Docker Hub pulls are limited per IP address (10 an hour since April 2025) and CodeBuild
 * hosts share addresses, so they fail at random with toomanyrequests (DOMAIN.md §6).
 */
export const dockerHubRateLimit: Check = {
  id: 'docker-hub-rate-limit',
  run(ctx) {
    const { subject } = ctx;
    const ref = subject.imageRef;
    if (ref.kind !== 'docker-hub' || subject.kind === 'image') return [];
    const r = resultsFor('docker-hub-rate-limit', ctx);
    const mirror = ref.repository.startsWith('library/') ? ` (for this image: public.ecr.aws/docker/${ref.repository}:${ref.reference})` : '';
    const evidence = { image: ref.raw, repository: ref.repository };
    if (subject.kind !== 'in-build') {
      if (subject.registryCredential) return [r.pass(`The build image ${ref.raw} is pulled from Docker Hub with the project's registry credential, not anonymously.`, { evidence })];
      return [r.warn(`The build image ${ref.raw} is pulled from Docker Hub anonymously: anonymous pulls are limited per IP address and CodeBuild hosts share addresses, so the pull fails at random with "toomanyrequests". Ways out: ${WAYS_OUT} (registryCredential with SERVICE_ROLE mode)${mirror}.`, {
        evidence,
        fix: { target: 'project-setting', account: subject.account, resource: subject.projectArn, description: `Use ${WAYS_OUT}${mirror}.` },
      })];
    }
    const around = stepsAround(subject);
    if (!around) return [];
    const where = `\`${around.pull.command}\` (${placeOf(around.pull)})`;
    const login = loginsBefore(around.steps, around.at).find((l) => l.hosts.some((h) => DOCKER_HUB_HOSTS.has(h)));
    if (login) return [r.pass(`${where} pulls ${ref.raw} from Docker Hub after a Docker Hub login (\`${login.command}\`, ${placeOf(login)}).`, { evidence })];
    return [r.warn(`${where} pulls ${ref.raw} from Docker Hub anonymously: anonymous pulls are limited per IP address and CodeBuild hosts share addresses, so it fails at random with "toomanyrequests". Ways out: ${WAYS_OUT}${mirror}.`, {
      evidence,
      fix: { target: 'other', description: `Pull through ${WAYS_OUT}${mirror}; for a login, add before the pull: echo "$DOCKERHUB_TOKEN" | docker login --username <user> --password-stdin (the token from a Secrets Manager variable).` },
    })];
  },
};
