import type { BuildspecStep, CommandPlace, InBuildLogin, InBuildPull } from '../model/facts.js';
import type { PullSubject } from './subjects.js';

/** Where a command sits, as a reader finds it: `pre_build command 2` (`finally` when it is one). */
export function placeOf(p: CommandPlace): string {
  return `${p.phase}${p.finally ? ' finally' : ''} command ${p.index + 1}`;
}

/** The steps of the owner's buildspec, and the index of this in-build pull among them. */
export function stepsAround(subject: PullSubject): { steps: BuildspecStep[]; at: number; pull: InBuildPull } | undefined {
  const inBuild = subject.inBuild;
  const bs = inBuild?.owner.buildspec;
  if (!inBuild || bs?.state !== 'present') return undefined;
  return { steps: bs.value.steps, at: bs.value.steps.indexOf(inBuild.pull), pull: inBuild.pull };
}

export function loginsBefore(steps: readonly BuildspecStep[], at: number): InBuildLogin[] {
  return steps.slice(0, at < 0 ? steps.length : at).filter((s): s is InBuildLogin => s.kind === 'login');
}

export const DOCKER_HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/** The exact pre_build line that logs in to an ECR registry. */
export function ecrLoginLine(region: string, host: string): string {
  return `aws ecr get-login-password --region ${region} | docker login --username AWS --password-stdin ${host}`;
}
