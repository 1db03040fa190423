import type { ECRClient } from '@aws-sdk/client-ecr';
import { DescribeImagesCommand, GetLifecyclePolicyCommand } from '@aws-sdk/client-ecr';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { ListedImage, RepositoryFacts } from '../../model/facts.js';
import { isNamed, unreadableFrom } from './aws-errors.js';

/** DescribeImages answers at most 1000 images a page (ECR API Reference, DescribeImages maxResults). */
const PAGE_SIZE = 1000;
/** Bounded: a repository with more images is judged on the first 10,000 listed, and says so. */
export const MAX_IMAGE_PAGES = 10;

interface RepositoryRef {
  registryId: string;
  name: string;
}

/** The lifecycle policy text; a repository without one answers LifecyclePolicyNotFoundException (ECR API Reference, GetLifecyclePolicy). */
export async function readLifecyclePolicy(client: ECRClient, req: RepositoryRef): Promise<Fact<{ text: string }>> {
  try {
    const out = await client.send(new GetLifecyclePolicyCommand({ registryId: req.registryId, repositoryName: req.name }));
    return out.lifecyclePolicyText ? present({ text: out.lifecyclePolicyText }) : absent();
  } catch (e) {
    if (isNamed(e, 'LifecyclePolicyNotFoundException', 'RepositoryNotFoundException')) return absent();
    return unreadableFrom(e, 'ecr:GetLifecyclePolicy');
  }
}

/**
 * Every image of the repository with its tags and push date, the facts lifecycle rules count by.
 * With the image-status filter ANY: an unfiltered call lists ACTIVE images only (ECR API
 * Reference, DescribeImagesFilter), and lifecycle rules with storageClass archive select archived ones.
 */
export async function readImageList(client: ECRClient, req: RepositoryRef): Promise<Fact<{ images: ListedImage[]; complete: boolean }>> {
  const images: ListedImage[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_IMAGE_PAGES; page++) {
      const out = await client.send(new DescribeImagesCommand({ registryId: req.registryId, repositoryName: req.name, filter: { imageStatus: 'ANY' }, maxResults: PAGE_SIZE, ...(nextToken ? { nextToken } : {}) }));
      for (const d of out.imageDetails ?? []) {
        if (!d.imageDigest) continue;
        images.push({
          digest: d.imageDigest,
          tags: d.imageTags ?? [],
          ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.toISOString() } : {}),
          ...(d.imageStatus ? { status: d.imageStatus } : {}),
        });
      }
      nextToken = out.nextToken;
      if (!nextToken) return present({ images, complete: true });
    }
    return present({ images, complete: false });
  } catch (e) {
    return unreadableFrom(e, 'ecr:DescribeImages');
  }
}

/** The lifecycle policy, then (only when there is one) the image list: one extra round trip inside the repository's wave. */
export async function readLifecycle(client: ECRClient, req: RepositoryRef): Promise<Pick<RepositoryFacts, 'lifecycle' | 'imageList'>> {
  const lifecycle = await readLifecyclePolicy(client, req);
  if (lifecycle.state !== 'present') return { lifecycle };
  return { lifecycle, imageList: await readImageList(client, req) };
}
