import type { ECRClient, ImageDetail, ImageIdentifier, Repository } from '@aws-sdk/client-ecr';
import { DescribeImagesCommand, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { absent, present } from '../../model/fact.js';
import type { RepositoryFacts } from '../../model/facts.js';
import { isNamed, unreadableFrom } from './aws-errors.js';

/** DescribeRepositories repositoryNames and DescribeImages imageIds: 1 to 100 items (ECR API Reference). */
export const ITEMS_PER_CALL = 100;

export type RepositoryFact = RepositoryFacts['repository'];

/** One reference's DescribeImages answer: its detail (undefined: not there) or the error that stopped the read. */
export type DescribedImage = { ok: true; detail: ImageDetail | undefined } | { ok: false; error: unknown };

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function repositoryFact(repo: Repository): RepositoryFact {
  return present({
    ...(repo.repositoryUri ? { uri: repo.repositoryUri } : {}),
    ...(repo.createdAt ? { createdAt: repo.createdAt.toISOString() } : {}),
    ...(repo.encryptionConfiguration?.encryptionType ? { encryptionType: repo.encryptionConfiguration.encryptionType } : {}),
  });
}

/** The repository a RepositoryNotFoundException names: "The repository with name 'x' does not exist in the registry with id '…'". */
export function missingRepositoryName(e: unknown): string | undefined {
  return /repository with name '([^']+)'/.exec(e instanceof Error ? e.message : '')?.[1];
}

/** The tag or digest an ImageNotFoundException names: "The image with imageId {imageDigest:'null', imageTag:'nope'} does not exist …". */
export function missingImageReference(e: unknown): string | undefined {
  const text = e instanceof Error ? e.message : '';
  const tag = /imageTag:'([^']*)'/.exec(text)?.[1];
  if (tag && tag !== 'null') return tag;
  const digest = /imageDigest:'([^']*)'/.exec(text)?.[1];
  return digest && digest !== 'null' ? digest : undefined;
}

async function describeOneRepository(client: ECRClient, registryId: string, name: string): Promise<RepositoryFact> {
  try {
    const out = await client.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: [name] }));
    const repo = out.repositories?.[0];
    return repo ? repositoryFact(repo) : absent();
  } catch (e) {
    if (isNamed(e, 'RepositoryNotFoundException')) return absent();
    return unreadableFrom(e, 'ecr:DescribeRepositories');
  }
}

/**
 * Up to 100 repositories of one registry in one DescribeRepositories. With several names, one
 * missing name fails the whole call with RepositoryNotFoundException naming it (ECR API
 * Reference, DescribeRepositories Errors; moto 5.2 does the same): that name is absent and the
 * call is repeated without it, so k missing names cost k more calls. An error that names no
 * repository of the batch falls back to one call per name, each answered as a single read would be.
 */
async function describeRepositoryBatch(client: ECRClient, registryId: string, names: string[]): Promise<Map<string, RepositoryFact>> {
  const facts = new Map<string, RepositoryFact>();
  let remaining = [...names];
  while (remaining.length > 0) {
    try {
      const out = await client.send(new DescribeRepositoriesCommand({ registryId, repositoryNames: remaining }));
      const byName = new Map((out.repositories ?? []).map((r) => [r.repositoryName ?? '', r]));
      for (const name of remaining) {
        const repo = byName.get(name);
        facts.set(name, repo ? repositoryFact(repo) : absent());
      }
      return facts;
    } catch (e) {
      const missing = isNamed(e, 'RepositoryNotFoundException') ? missingRepositoryName(e) : undefined;
      if (remaining.length === 1) {
        facts.set(remaining[0]!, isNamed(e, 'RepositoryNotFoundException') ? absent() : unreadableFrom(e, 'ecr:DescribeRepositories'));
        return facts;
      }
      if (isNamed(e, 'RepositoryNotFoundException') && missing && remaining.includes(missing)) {
        facts.set(missing, absent());
        remaining = remaining.filter((n) => n !== missing);
        continue;
      }
      if (!isNamed(e, 'RepositoryNotFoundException')) {
        // Denied, throttled past the retries, not AWS at all: every name of the batch could not be read, as alone.
        const fact = unreadableFrom<never>(e, 'ecr:DescribeRepositories');
        for (const name of remaining) facts.set(name, fact);
        return facts;
      }
      for (const name of remaining) facts.set(name, await describeOneRepository(client, registryId, name));
      return facts;
    }
  }
  return facts;
}

/** Each named repository of one registry, read in batches of 100; every name gets its own promise. */
export function describeRepositories(client: ECRClient, registryId: string, names: readonly string[]): Map<string, Promise<RepositoryFact>> {
  const unique = [...new Set(names)];
  const result = new Map<string, Promise<RepositoryFact>>();
  for (const batch of chunk(unique, ITEMS_PER_CALL)) {
    const read = describeRepositoryBatch(client, registryId, batch);
    for (const name of batch) result.set(name, read.then((facts) => facts.get(name) ?? absent()));
  }
  return result;
}

export function imageIdOf(reference: string): ImageIdentifier {
  return reference.startsWith('sha256:') ? { imageDigest: reference } : { imageTag: reference };
}

/** The detail of one reference; asked alone, the only detail is its answer (as the single read took it). */
function detailFor(details: readonly ImageDetail[], reference: string, asked: number): ImageDetail | undefined {
  const found = reference.startsWith('sha256:') ? details.find((d) => d.imageDigest === reference) : details.find((d) => d.imageTags?.includes(reference));
  return found ?? (asked === 1 ? details[0] : undefined);
}

interface ImageLocation {
  registryId: string;
  name: string;
}

async function describeImageBatch(client: ECRClient, loc: ImageLocation, references: string[]): Promise<Map<string, DescribedImage>> {
  const results = new Map<string, DescribedImage>();
  let remaining = [...references];
  // ECR API Reference, DescribeImagesFilter.imageStatus: "If not specified, only images with
  // ACTIVE status are returned", so an archived tag would read as missing. ANY includes
  // ARCHIVED and ACTIVATING (being restored).
  const send = (refs: string[]) => client.send(new DescribeImagesCommand({ registryId: loc.registryId, repositoryName: loc.name, imageIds: refs.map(imageIdOf), filter: { imageStatus: 'ANY' } }));
  while (remaining.length > 0) {
    try {
      const out = await send(remaining);
      for (const ref of remaining) results.set(ref, { ok: true, detail: detailFor(out.imageDetails ?? [], ref, remaining.length) });
      return results;
    } catch (e) {
      // DescribeImagesResponse has no `failures` list (unlike BatchGetImage): one missing id fails
      // the whole call with ImageNotFoundException naming it (moto 5.2 likewise). Drop it and ask again.
      const missing = isNamed(e, 'ImageNotFoundException') ? missingImageReference(e) : undefined;
      if (remaining.length > 1 && missing && remaining.includes(missing)) {
        results.set(missing, { ok: true, detail: undefined });
        remaining = remaining.filter((r) => r !== missing);
        continue;
      }
      if (remaining.length > 1 && isNamed(e, 'ImageNotFoundException')) {
        // It names no reference we asked for as we spelled it: ask for each alone.
        for (const ref of remaining) results.set(ref, await send([ref]).then((out) => ({ ok: true as const, detail: detailFor(out.imageDetails ?? [], ref, 1) }), (error: unknown) => ({ ok: false as const, error })));
        return results;
      }
      for (const ref of remaining) results.set(ref, { ok: false, error: e });
      return results;
    }
  }
  return results;
}

/** One DescribeImages per repository for all the tags and digests its projects name (100 a call). */
export function describeImages(client: ECRClient, loc: ImageLocation, references: readonly string[]): Map<string, Promise<DescribedImage>> {
  const unique = [...new Set(references)];
  const result = new Map<string, Promise<DescribedImage>>();
  for (const batch of chunk(unique, ITEMS_PER_CALL)) {
    const read = describeImageBatch(client, loc, batch);
    for (const ref of batch) result.set(ref, read.then((r) => r.get(ref) ?? { ok: true, detail: undefined }));
  }
  return result;
}
