import type { ECRClient } from '@aws-sdk/client-ecr';
import { GetRepositoryPolicyCommand, ListImagesCommand, ListTagsForResourceCommand } from '@aws-sdk/client-ecr';
import type { Fact } from '../../model/fact.js';
import { absent, present } from '../../model/fact.js';
import type { ImageInfo, RepositoryFacts } from '../../model/facts.js';
import { isNamed, unreadableFrom } from './aws-errors.js';
import { readImagePlatforms } from './manifests.js';
import { readLifecycle } from './ecr-lifecycle.js';
import type { DescribedImage, RepositoryFact } from './ecr-batch.js';
import { describeImages, describeRepositories } from './ecr-batch.js';

export interface RepositoryRequest {
  arn: string;
  registryId: string;
  region: string;
  name: string;
  /** Tags or sha256: digests to look up. */
  references: string[];
  /** Also read each image's platforms (manifest, config blob): a project runs the image. */
  platforms?: boolean;
}

/** The policy text; "no policy" (RepositoryPolicyNotFoundException) is an absent policy, not an error (DOMAIN.md §4). */
export async function readRepositoryPolicy(client: ECRClient, registryId: string, name: string): Promise<RepositoryFacts['policy']> {
  try {
    const out = await client.send(new GetRepositoryPolicyCommand({ registryId, repositoryName: name }));
    return out.policyText ? present({ text: out.policyText }) : absent();
  } catch (e) {
    if (isNamed(e, 'RepositoryPolicyNotFoundException', 'RepositoryNotFoundException')) return absent();
    return unreadableFrom(e, 'ecr:GetRepositoryPolicy');
  }
}

async function readImage(client: ECRClient, req: RepositoryRequest, reference: string, described: Promise<DescribedImage>, downloads: ECRClient): Promise<Fact<ImageInfo>> {
  // The manifest read goes out with DescribeImages, not after it: same round trip.
  const platformsRead = req.platforms ? readImagePlatforms(client, req, reference, downloads) : undefined;
  platformsRead?.catch(() => undefined);
  const answer = await described;
  const d = answer.ok ? answer.detail : undefined;
  const platforms = d && platformsRead ? await platformsRead : undefined;
  if (!answer.ok) {
    if (isNamed(answer.error, 'ImageNotFoundException', 'RepositoryNotFoundException')) return absent();
    return unreadableFrom(answer.error, 'ecr:DescribeImages');
  }
  if (!d) return absent();
  return present({
    digest: d.imageDigest ?? '',
    tags: d.imageTags ?? [],
    ...(d.imageStatus ? { status: d.imageStatus } : {}),
    ...(d.imagePushedAt ? { pushedAt: d.imagePushedAt.toISOString() } : {}),
    ...(d.imageSizeInBytes !== undefined ? { sizeInBytes: d.imageSizeInBytes } : {}),
    ...(d.imageManifestMediaType ? { manifestMediaType: d.imageManifestMediaType } : {}),
    ...(platforms ? { platforms } : {}),
  });
}

async function readKnownTags(client: ECRClient, req: RepositoryRequest): Promise<Fact<string[]>> {
  try {
    const out = await client.send(new ListImagesCommand({ registryId: req.registryId, repositoryName: req.name, filter: { tagStatus: 'TAGGED' }, maxResults: 1000 }));
    return present((out.imageIds ?? []).map((i) => i.imageTag).filter((t): t is string => !!t));
  } catch (e) {
    return unreadableFrom(e, 'ecr:ListImages');
  }
}

/** The repository's resource tags, which decide aws:ResourceTag/… and ecr:ResourceTag/… conditions. */
export async function readResourceTags(client: ECRClient, req: RepositoryRequest): Promise<Fact<Record<string, string>>> {
  try {
    const out = await client.send(new ListTagsForResourceCommand({ resourceArn: req.arn }));
    return present(Object.fromEntries((out.tags ?? []).filter((t) => t.Key !== undefined).map((t) => [t.Key!, t.Value ?? ''])));
  } catch (e) {
    // ListTagsForResource takes only the ARN; a "not found" for a repository that exists (moto
    // across accounts) says nothing about its tags: unreadable, so tag conditions stay undecided.
    return unreadableFrom(e, 'ecr:ListTagsForResource');
  }
}

/**
 * Everything about one repository, its reads issued together. `described` is its
 * DescribeRepositories answer when the caller read several repositories in one call. The tag listing (for "did you
 * mean") is read only when an image is missing, so the common path stays one round trip.
 * `withTags` false leaves the resource tags to the caller, who reads them only where a policy asks
 * about them (gather.ts).
 */
export async function readRepository(client: ECRClient, req: RepositoryRequest, downloads: ECRClient = client, described?: Promise<RepositoryFact>, withTags = true): Promise<RepositoryFacts> {
  // All the references of the repository in one DescribeImages (ecr-batch.ts).
  const imageReads = describeImages(client, req, req.references);
  const [repository, policy, tags, lifecycle, ...images] = await Promise.all([
    described ?? describeRepositories(client, req.registryId, [req.name]).get(req.name)!,
    readRepositoryPolicy(client, req.registryId, req.name),
    withTags ? readResourceTags(client, req) : undefined,
    readLifecycle(client, req),
    ...req.references.map((ref) => readImage(client, req, ref, imageReads.get(ref)!, downloads)),
  ]);
  const imageFacts = Object.fromEntries(req.references.map((ref, i) => [ref, images[i]!]));
  const missing = repository.state === 'present' && images.some((f) => f.state === 'absent');
  return {
    arn: req.arn,
    registryId: req.registryId,
    region: req.region,
    name: req.name,
    repository,
    policy: repository.state === 'absent' ? absent() : policy,
    images: imageFacts,
    ...(missing ? { knownTags: await readKnownTags(client, req) } : {}),
    ...(repository.state === 'absent' || !tags ? {} : { tags }),
    ...(repository.state === 'absent' ? {} : lifecycle),
  };
}
