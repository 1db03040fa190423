import { BYTES_PER_GB, documentedDiskGb } from '../environment/compute-disk.js';
import { environmentOf } from './build-environment.js';
import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';

/** Past this share of the disk a compressed image is a warning: unpacked it is often 2-3 times larger. */
const WARN_SHARE = 0.5;

const gb = (bytes: number) => `${(bytes / BYTES_PER_GB).toFixed(bytes < BYTES_PER_GB ? 2 : 1)} GB`;

/**
 * AWS lists "the image is larger than the available disk space" first among the causes of
 * BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE (DOMAIN.md §6). ECR reports the compressed size only;
 * the unpacked size is not known, so a failure needs the compressed size alone past the disk.
 */
export const imageSize: Check = {
  id: 'image-size',
  run(ctx) {
    const { subject } = ctx;
    const ref = subject.imageRef;
    if (subject.kind === 'image' || ref.kind !== 'ecr') return [];
    const image = ctx.repository?.images[ref.reference];
    if (!image || image.state !== 'present' || image.value.sizeInBytes === undefined) return [];
    const size = image.value.sizeInBytes;
    const env = environmentOf(ctx.facts, subject);
    if (env.state === 'unknown') return [];
    const r = resultsFor('image-size', ctx);
    if (env.state === 'fleet-unreadable') return [r.error(unreadableMessage(`the disk of the fleet ${env.fleetArn}`, env), { evidence: { fleetArn: env.fleetArn } })];
    if (env.state === 'fleet-missing') return [];
    const { environmentType, computeType } = env;
    const disk = env.diskGb ?? (computeType ? documentedDiskGb(environmentType, computeType) : undefined);
    const evidence: Record<string, unknown> = { compressedSizeInBytes: size, environmentType, ...(computeType ? { computeType } : {}), environmentFrom: env.source };
    const compressed = `The image is ${gb(size)} compressed (imageSizeInBytes)`;
    if (disk === undefined) {
      return [r.skip(`${compressed}; ecr-doctor has no documented disk size for ${computeType ?? 'this compute type'} on ${environmentType}, so the size was not checked.`, { evidence })];
    }
    evidence.diskGb = disk;
    const diskBytes = disk * BYTES_PER_GB;
    const bigger = { target: 'project-setting' as const, ...(subject.projectArn ? { resource: subject.projectArn } : {}), description: 'Nothing for fix to write: choose a larger compute type (more disk) or make the image smaller (multi-stage build, fewer layers).' };
    if (size > diskBytes) {
      return [r.fail(`${compressed}, more than the ${disk} GB disk of ${computeType ?? 'the fleet'} on ${environmentType}; the disk must hold it unpacked, so the pull fails.`, { evidence, fix: bigger })];
    }
    if (size > diskBytes * WARN_SHARE) {
      return [r.warn(`${compressed}, over half the ${disk} GB disk of ${computeType ?? 'the fleet'} on ${environmentType}; unpacked it is larger still and may not fit with the build's own files.`, { evidence, fix: bigger })];
    }
    return [r.pass(`${compressed}; the ${disk} GB disk of ${computeType ?? 'the fleet'} on ${environmentType} leaves room to unpack it (the compressed size is under half the disk).`, { evidence })];
  },
};
