import type { Facts } from '../model/facts.js';
import { IncompleteError, UsageError } from '../model/errors.js';
import type { Target } from '../model/target.js';
import type { CommonOptions, TargetOptions } from './options.js';
import { hasExplicitTarget, validateEndpoint, validateRegion } from './options.js';
import { resolveTarget } from './resolve-target.js';

export interface LoadedFacts {
  facts: Facts;
  target: Target;
  source: 'live' | 'snapshot';
}

/** The AWS options after flags, the eb config and the environment: flags win. */
export function awsOptionsFor(common: CommonOptions, target: Target) {
  const region = validateRegion(common.region) ?? target.region ?? target.eb?.region;
  const profile = common.profile ?? (target.ignoreEbProfile ? undefined : target.eb?.profile);
  const endpointUrl = validateEndpoint(common.endpointUrl);
  return { ...(region ? { region } : {}), ...(profile ? { profile } : {}), ...(endpointUrl ? { endpointUrl } : {}) };
}

/** Facts from a snapshot file (no SDK loaded) or from the live account. */
export async function loadFacts(opts: TargetOptions, common: CommonOptions, progress: (line: string) => void): Promise<LoadedFacts> {
  if (opts.snapshot) {
    if (hasExplicitTarget(opts) || opts.lastFailed) {
      throw new UsageError('--snapshot replays a recorded run; it cannot be combined with --project, --build, --image, --buildspec or --last-failed');
    }
    const { readSnapshot } = await import('../sources/snapshot.js');
    const facts = await readSnapshot(opts.snapshot);
    return { facts, target: targetOfSnapshot(facts, opts.snapshot), source: 'snapshot' };
  }
  const target = await resolveTarget(opts, common, process.cwd(), process.env);
  return { facts: await readLive(target, common, progress), target, source: 'live' };
}

export async function readLive(target: Target, common: CommonOptions, progress: (line: string) => void): Promise<Facts> {
  const aws = awsOptionsFor(common, target);
  const [{ createAwsClients }, { gatherLiveFacts }] = await Promise.all([import('../sources/live/clients.js'), import('../sources/live/gather.js')]);
  try {
    const clients = await createAwsClients(aws);
    progress(`ecr-doctor: reading ${clients.region}${aws.endpointUrl ? ` via ${aws.endpointUrl}` : ''}...`);
    return await gatherLiveFacts(clients, target);
  } catch (e) {
    // Say where a profile came from when it was not the user's flag: a committed EB config is a surprise.
    if (e instanceof IncompleteError && !common.profile && aws.profile) {
      throw new IncompleteError(e.message, `${e.hint ? `${e.hint}; ` : ''}the profile "${aws.profile}" comes from ${target.eb?.projectRoot ?? '.'}/.elasticbeanstalk (or AWS_EB_PROFILE): pass --profile to use another`);
    }
    throw e;
  }
}

function targetOfSnapshot(facts: Facts, file: string): Target {
  return {
    projects: facts.projects.map((p) => p.requested),
    allProjects: false,
    builds: facts.builds.map((b) => b.requested),
    lastFailed: false,
    images: facts.images,
    ...(facts.eb ? { eb: facts.eb } : {}),
    foundBy: `snapshot ${file}`,
  };
}
