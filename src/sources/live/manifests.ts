import type { ECRClient, ImageIdentifier } from '@aws-sdk/client-ecr';
import { BatchGetImageCommand, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
import { IncompleteError } from '../../model/errors.js';
import type { Fact } from '../../model/fact.js';
import { absent, present, unreadable } from '../../model/fact.js';
import type { ImagePlatform } from '../../model/facts.js';
import { CredentialsError, errorName, unreadableFrom } from './aws-errors.js';

/**
 * Every manifest type ECR stores. Without acceptedMediaTypes BatchGetImage answers with a Docker
 * schema 2 manifest only and fails an OCI index with UnsupportedImageTypeException (ECR API
 * reference, BatchGetImage.acceptedMediaTypes).
 */
export const ACCEPTED_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

const CONFIG_LIMIT = 1_000_000; // an image config is a few KB; anything larger is not one
const CONFIG_TIMEOUT_MS = 10_000;

interface Location {
  registryId: string;
  name: string;
}

function imageId(reference: string): ImageIdentifier {
  return reference.startsWith('sha256:') ? { imageDigest: reference } : { imageTag: reference };
}

const asString = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toPlatform(p: Record<string, unknown> | undefined): ImagePlatform | undefined {
  const os = asString(p?.['os']);
  const architecture = asString(p?.['architecture']);
  if (!os || !architecture) return undefined;
  const variant = asString(p?.['variant']);
  const osVersion = asString(p?.['os.version']);
  return { os, architecture, ...(variant ? { variant } : {}), ...(osVersion ? { osVersion } : {}) };
}

/** The platforms an index lists, or the config digest of a single manifest. */
export function parseManifest(text: string): { platforms: ImagePlatform[] } | { configDigest: string } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const o = doc as Record<string, unknown>;
  if (Array.isArray(o['manifests'])) {
    const platforms = (o['manifests'] as Record<string, unknown>[]).map((m) => toPlatform(m?.['platform'] as Record<string, unknown> | undefined)).filter((p): p is ImagePlatform => !!p);
    return { platforms };
  }
  const digest = asString((o['config'] as Record<string, unknown> | undefined)?.['digest']);
  return digest ? { configDigest: digest } : undefined;
}

/** An image config blob's os/architecture (OCI image spec, "Image Configuration"). */
export function parseImageConfig(text: string): ImagePlatform | undefined {
  try {
    const doc = JSON.parse(text) as Record<string, unknown>;
    return toPlatform(doc);
  } catch {
    return undefined;
  }
}

const DOWNLOAD = 'ecr:GetDownloadUrlForLayer';

/** The config blob through a pre-signed URL: optional, so anything but bad credentials is "could not check". */
async function readConfigPlatform(client: ECRClient, loc: Location, digest: string): Promise<Fact<ImagePlatform[]>> {
  let url: string | undefined;
  try {
    const out = await client.send(new GetDownloadUrlForLayerCommand({ registryId: loc.registryId, repositoryName: loc.name, layerDigest: digest }));
    url = out.downloadUrl;
  } catch (e) {
    try {
      return unreadableFrom(e, DOWNLOAD);
    } catch (fatal) {
      if (fatal instanceof CredentialsError || !(fatal instanceof IncompleteError)) throw fatal;
      return unreadable(`${errorName(e)} on ${DOWNLOAD}: the answer was not one ecr-doctor could read`, DOWNLOAD);
    }
  }
  if (!url) return unreadable(`${DOWNLOAD} returned no download URL`, DOWNLOAD);
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(CONFIG_TIMEOUT_MS) });
    const length = Number(res.headers.get('content-length') ?? '0');
    if (!res.ok || length > CONFIG_LIMIT) return unreadable(`downloading the image config answered HTTP ${res.status}`, DOWNLOAD);
    const text = await res.text();
    const platform = text.length <= CONFIG_LIMIT ? parseImageConfig(text) : undefined;
    return platform ? present([platform]) : absent();
  } catch (e) {
    return unreadable(`downloading the image config failed: ${errorName(e)}`, DOWNLOAD);
  }
}

/**
 * The image's platforms: an index (manifest list, OCI index) lists them; a single manifest
 * names its config blob, whose os/architecture is read where the caller may download it.
 */
export async function readImagePlatforms(client: ECRClient, loc: Location, reference: string, downloads: ECRClient = client): Promise<Fact<ImagePlatform[]>> {
  let manifest: string | undefined;
  try {
    const out = await client.send(new BatchGetImageCommand({ registryId: loc.registryId, repositoryName: loc.name, imageIds: [imageId(reference)], acceptedMediaTypes: ACCEPTED_MEDIA_TYPES }));
    manifest = out.images?.[0]?.imageManifest;
  } catch (e) {
    return unreadableFrom(e, 'ecr:BatchGetImage');
  }
  if (!manifest) return absent();
  const parsed = parseManifest(manifest);
  if (!parsed) return absent();
  if ('platforms' in parsed) return present(parsed.platforms);
  return readConfigPlatform(downloads, loc, parsed.configDigest);
}
