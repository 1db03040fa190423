import type { Result } from '../model/result.js';
import type { FactsCheck } from './check.js';
import { makeResult } from './check.js';
import { placeOf } from './in-build-steps.js';
import type { PullSubject } from './subjects.js';
import { buildspecOwners } from './subjects.js';

/** The command that turns privileged mode on and keeps the rest of the environment exactly as it is. */
export function privilegedModeCommand(projectName: string): string {
  return `aws codebuild batch-get-projects --names ${projectName} --query 'projects[0].environment' > env.json && jq '.privilegedMode = true' env.json > env-privileged.json && aws codebuild update-project --name ${projectName} --environment file://env-privileged.json`;
}

function judge(owner: PullSubject): Result[] {
  if (owner.buildspec?.state !== 'present') return [];
  const steps = owner.buildspec.value.steps;
  const uses = steps.filter((s) => s.kind === 'docker');
  const first = uses[0];
  if (!first) return [];
  const subject = owner.label;
  const evidence = { command: first.command, phase: first.phase, privilegedMode: owner.privileged?.value, source: owner.privileged?.source };
  const where = `\`${first.command}\` (${placeOf(first)})`;
  const startsDaemon = steps.some((s) => s.kind === 'daemon-start');
  if (!owner.privileged) {
    if (!owner.projectArn) return [makeResult('docker-daemon', subject, 'skip', `The buildspec runs docker (${where}), which needs privileged mode on the project; name the project (--project) to check it.`, { evidence })];
  }
  const privileged = owner.privileged?.value ?? false;
  if (!privileged) {
    const eb = owner.privileged?.source === 'eb-inferred';
    const why = `there is no Docker daemon in the build container, so docker fails with "Cannot connect to the Docker daemon at unix:///var/run/docker.sock"${startsDaemon ? '; starting dockerd in the buildspec does not help, dockerd itself needs privileged mode' : ''}`;
    if (eb) {
      return [makeResult('docker-daemon', subject, 'fail', `The buildspec runs docker (${where}), but eb deploy's temporary project runs without privileged mode (inferred from the EB CLI, which has no setting for it): ${why}.`, {
        evidence,
        fix: { target: 'other', description: 'Build the image in a CodeBuild project (or pipeline) with privileged mode and let eb_codebuild_settings use the result, or remove the docker commands from this buildspec.' },
      })];
    }
    return [makeResult('docker-daemon', subject, 'fail', `The buildspec runs docker (${where}), but privileged mode is off${owner.privileged ? '' : ' (the default)'}: ${why}.`, {
      evidence,
      fix: { target: 'project-setting', account: owner.account, resource: owner.projectArn, description: 'Turn on privileged mode, keeping the rest of the environment as it is.', ...(owner.projectName ? { command: privilegedModeCommand(owner.projectName) } : {}) },
    })];
  }
  const curated = owner.imageRef.kind === 'curated';
  if (!curated && !startsDaemon) {
    return [makeResult('docker-daemon', subject, 'warn', `The buildspec runs docker (${where}) on the custom image ${owner.image}: CodeBuild starts dockerd itself only in its curated images, so a custom image must start it in the buildspec (nohup /usr/local/bin/dockerd --host=unix:///var/run/docker.sock --host=tcp://127.0.0.1:2375 --storage-driver=overlay2 & followed by a wait for docker info) unless the image's entrypoint does.`, { evidence })];
  }
  return [makeResult('docker-daemon', subject, 'pass', `Privileged mode is on, so the docker commands of the buildspec (first: ${where}) have a daemon${curated ? ' (the curated image starts it)' : ' (the buildspec starts dockerd)'}.`, { evidence })];
}

export const dockerDaemon: FactsCheck = {
  id: 'docker-daemon',
  runOnce(facts) {
    return buildspecOwners(facts).flatMap(judge);
  },
};
