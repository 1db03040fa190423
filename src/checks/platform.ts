import { curatedFamilyOf } from '../environment/curated-images.js';
import type { EnvironmentPlatform } from '../environment/environment-types.js';
import { platformName, platformOfEnvironment, windowsReleaseOf } from '../environment/environment-types.js';
import type { ImagePlatform } from '../model/facts.js';
import type { FixHint } from '../model/result.js';
import { environmentOf } from './build-environment.js';
import type { Check, CheckContext } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';

/** Attestation manifests of buildx indexes carry unknown/unknown: they are no platform. */
const isReal = (p: ImagePlatform) => p.os !== 'unknown' && p.architecture !== 'unknown';

function fits(p: ImagePlatform, want: EnvironmentPlatform): boolean {
  if (p.os !== want.os || p.architecture !== want.architecture) return false;
  if (want.os !== 'windows' || !want.windowsVersion) return true;
  const release = windowsReleaseOf(p.osVersion);
  // An image without os.version cannot be told apart; only a known other release is a misfit.
  return release === undefined || release === want.windowsVersion;
}

function platformFix(ctx: CheckContext, environmentType: string, want: EnvironmentPlatform, offered: string[]): FixHint {
  const needed = platformName(want);
  return {
    target: 'image',
    ...(ctx.subject.account ? { account: ctx.subject.account } : {}),
    description: `Nothing for fix to write: either build the image for ${needed} (for both: docker buildx build --platform linux/amd64,linux/arm64 --push ...), or change the project's environment type (${environmentType}) to one that runs ${offered.join(', ') || 'the image'}.`,
  };
}

/** The image's platforms against the environment type (DOMAIN.md §6, issue 10 item 1). */
export const platform: Check = {
  id: 'platform',
  run(ctx) {
    const { subject } = ctx;
    const ref = subject.imageRef;
    if (subject.kind === 'image' || ref.kind === 'invalid') return [];
    const env = environmentOf(ctx.facts, subject);
    if (env.state === 'unknown') return [];
    const r = resultsFor('platform', ctx);
    if (env.state === 'fleet-unreadable') return [r.error(unreadableMessage(`the platform of the fleet ${env.fleetArn}`, env), { evidence: { fleetArn: env.fleetArn } })];
    if (env.state === 'fleet-missing') {
      return [r.fail(`The project runs on the fleet ${env.fleetArn}, which does not exist: no build can start.`, { evidence: { fleetArn: env.fleetArn }, fix: { target: 'project-setting', ...(subject.projectArn ? { resource: subject.projectArn } : {}), description: 'Point the project at an existing fleet, or remove the fleet to run on demand.' } })];
    }
    const { environmentType } = env;
    const want = platformOfEnvironment(environmentType);
    const evidence: Record<string, unknown> = { environmentType, environmentFrom: env.source, image: subject.image };
    if (!want) return [r.skip(`The platform was not checked: ecr-doctor does not know what environment type ${environmentType} runs.`, { evidence })];
    const needed = platformName(want);
    evidence.needs = needed;

    if (ref.kind === 'curated') {
      const family = curatedFamilyOf(subject.image);
      if (!family) return [r.skip(`The platform was not checked: ${subject.image} is not in ecr-doctor's table of CodeBuild images.`, { evidence })];
      evidence.family = family.family;
      if (family.environmentTypes.includes(environmentType)) return [r.pass(`The CodeBuild image ${subject.image} (${family.family}) runs on ${environmentType}.`, { evidence })];
      return [r.fail(`The CodeBuild image ${subject.image} (${family.family}) runs on ${family.environmentTypes.join(' or ')}, not on ${environmentType} (${needed}).`, {
        evidence,
        fix: { target: 'project-setting', ...(subject.projectArn ? { resource: subject.projectArn } : {}), description: `Nothing for fix to write: set the environment type to ${family.environmentTypes[0]} or choose a CodeBuild image made for ${environmentType}.` },
      })];
    }
    if (want.mode === 'lambda' && ref.kind !== 'ecr') {
      // Lambda compute: curated Lambda images, or a custom image pulled from ECR (user guide,
      // "Run builds on AWS Lambda compute": the custom-image permissions it lists are ECR's).
      return [r.skip(`The platform of ${subject.image} is not read (not an ECR image); on ${environmentType} it must be ${needed}, single-architecture.`, { evidence })];
    }
    if (ref.kind !== 'ecr') return [r.skip(`The platform of ${subject.image} is not read (the image is not in ECR); on ${environmentType} it must offer ${needed}.`, { evidence })];

    const image = ctx.repository?.images[ref.reference];
    if (!image || image.state !== 'present') return [];
    const platforms = image.value.platforms;
    // Not read at all: a snapshot older than this check. No verdict, and no noise in old reports.
    if (!platforms) return [];
    if (platforms.state === 'unreadable') {
      // The manifest itself is the first read; the config blob of a single-platform image is a
      // download the caller may not be allowed: that one is "could not check", never a guess.
      const message = unreadableMessage(`the platform of the image (it must offer ${needed} on ${environmentType})`, platforms);
      return [platforms.permission === 'ecr:BatchGetImage' ? r.error(message, { evidence }) : r.skip(message, { evidence })];
    }
    if (platforms.state === 'absent') return [r.skip(`The platform of the image could not be told from its manifest, so it was not checked; on ${environmentType} it must offer ${needed}.`, { evidence })];
    const offered = platforms.value.filter(isReal);
    const names = offered.map((p) => `${platformName(p)}${p.osVersion ? ` (${p.osVersion})` : ''}`);
    evidence.offered = names;
    const isIndex = offered.length > 1 || /index|list/.test(image.value.manifestMediaType ?? '');
    if (want.mode === 'lambda' && isIndex) {
      return [r.fail(`The image is a multi-architecture index (${names.join(', ')}); Lambda compute does not run multi-architecture container images (CodeBuild user guide, "Run builds on AWS Lambda compute").`, {
        evidence,
        fix: { target: 'image', description: `Nothing for fix to write: push a single-architecture ${needed} image (docker buildx build --platform ${needed} --provenance=false ...) and use its tag.` },
      })];
    }
    if (offered.some((p) => fits(p, want))) return [r.pass(`The image offers ${needed}, which ${environmentType} runs.`, { evidence })];
    const wrongWindows = want.os === 'windows' && offered.some((p) => p.os === 'windows' && p.architecture === want.architecture);
    return [r.fail(
      wrongWindows
        ? `The image is built for another Windows Server release (${names.join(', ')}); ${environmentType} runs Windows Server ${want.windowsVersion}, so the container cannot start.`
        : `The image offers ${names.join(', ') || 'no platform'} but ${environmentType} runs ${needed}: the pull fails (no matching manifest for ${needed}) or the container cannot start.`,
      { evidence, fix: platformFix(ctx, environmentType, want, names) },
    )];
  },
};
