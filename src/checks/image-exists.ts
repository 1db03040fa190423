import type { Check } from './check.js';
import { resultsFor, unreadableMessage } from './check.js';
import { nearestNames } from './nearest-names.js';

/** The existing tags closest to the one asked for, for "did you mean". */
export function nearestTags(wanted: string, tags: readonly string[], count = 3): string[] {
  return nearestNames(wanted, tags, count);
}

export const imageExists: Check = {
  id: 'image-exists',
  run(ctx) {
    const ref = ctx.subject.imageRef;
    const repo = ctx.repository;
    if (ref.kind !== 'ecr' || !repo || repo.repository.state !== 'present') return [];
    const r = resultsFor('image-exists', ctx);
    const fact = repo.images[ref.reference];
    const what = ref.digest ? `digest ${ref.digest}` : `tag ${ref.reference}`;
    const evidence: Record<string, unknown> = { repositoryArn: ref.repositoryArn, reference: ref.reference };
    if (!fact) return [r.error(`could not check the ${what} in ${ref.repository}: it was not looked up`, { evidence })];
    // Infrastructure code cannot know the images pushed after it is applied: not checked, never a pass.
    if (fact.state === 'unreadable' && fact.beforeDeploy) return [r.skip(`could not check the ${what} in ${ref.repository} before deploy: ${fact.reason}`, { evidence })];
    if (fact.state === 'unreadable') return [r.error(unreadableMessage(`the ${what} in ${ref.repository}`, fact), { evidence })];
    if (fact.state === 'absent') {
      const known = repo.knownTags?.state === 'present' ? repo.knownTags.value : [];
      const nearest = ref.tag ? nearestTags(ref.tag, known) : [];
      if (nearest.length > 0) evidence.nearestTags = nearest;
      return [r.fail(`Image ${what} does not exist in ${ref.repository}; the pull fails with "manifest ... not found".${nearest.length ? ` Nearest existing tags: ${nearest.join(', ')}.` : ''}`, {
        evidence,
        fix: { target: 'image', account: ref.account, resource: ref.repositoryArn, description: `Push the image with this ${ref.digest ? 'digest' : 'tag'}, or point the build at an existing one.` },
      })];
    }
    const image = fact.value;
    evidence.digest = image.digest;
    if (image.status === 'ARCHIVED' || image.status === 'ACTIVATING') {
      // ECR API Reference, UpdateImageStorageClass: targetStorageClass STANDARD restores an archived
      // image; while it is ACTIVATING it is still not pullable.
      const id = ref.digest ? `imageDigest=${ref.digest}` : `imageTag=${ref.reference}`;
      const restore = `aws ecr update-image-storage-class --registry-id ${ref.account} --region ${ref.region} --repository-name ${ref.repository} --image-id ${id} --target-storage-class STANDARD`;
      const state = image.status === 'ARCHIVED' ? 'is ARCHIVED and cannot be pulled until it is restored' : 'is being restored from the archive (ACTIVATING) and cannot be pulled until that finishes';
      return [r.fail(`Image ${what} in ${ref.repository} ${state}.${image.status === 'ARCHIVED' ? ` Restore it with: ${restore}` : ''}`, {
        evidence: { ...evidence, imageStatus: image.status },
        fix: { target: 'image', account: ref.account, resource: ref.repositoryArn, description: 'Restore the image from the archive storage class (ECR UpdateImageStorageClass to STANDARD), wait until it is ACTIVE, then retry.', command: restore },
      })];
    }
    return [r.pass(`Image ${what} exists in ${ref.repository}.`, { evidence })];
  },
};
