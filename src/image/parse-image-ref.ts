import { UsageError } from '../model/errors.js';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export type ImageRef =
  | {
      kind: 'ecr';
      raw: string;
      account: string;
      region: string;
      partition: Partition;
      host: string;
      repository: string;
      /** The tag, or undefined when a digest is given. */
      tag?: string;
      digest?: string;
      /** Tag or digest, as ECR's imageIds want it. */
      reference: string;
      repositoryArn: string;
      /**
       * A guess from the name only (docker-hub/..., quay/...), for wording when the registry's
       * pull-through cache rules could not be read. It never decides: the rules do (checks/pull-through-rules.ts).
       */
      looksLikePullThroughPrefix?: string;
    }
  | { kind: 'curated'; raw: string; name: string; tag: string }
  | { kind: 'ecr-public'; raw: string; alias: string; repository: string; reference: string }
  | { kind: 'docker-hub'; raw: string; repository: string; reference: string }
  | { kind: 'other-registry'; raw: string; host: string; repository: string; reference: string };

// DOMAIN.md §5: lowercase segments of [a-z0-9] joined by one '.', one or two '_', or dashes.
const REPOSITORY_SEGMENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
// Docker's tag grammar: up to 128 word characters, dots and dashes, not starting with . or -.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
// <acct>.dkr.ecr[-fips].<region>.amazonaws.com[.cn] and the dual-stack <acct>.dkr-ecr[-fips].<region>.on.aws
const ECR_HOST = /^(\d{12})\.(dkr\.ecr|dkr\.ecr-fips|dkr-ecr|dkr-ecr-fips)\.([a-z]{2}(?:-[a-z]+)+-\d)\.(amazonaws\.com|amazonaws\.com\.cn|on\.aws)$/;
// The console's suggested rule prefixes: only a "looks like" hint, rules may use any prefix or ROOT.
const LOOKS_LIKE_PULL_THROUGH_PREFIXES = new Set(['docker-hub', 'ecr-public', 'quay', 'k8s', 'github', 'gitlab', 'azure']);

export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Parses an image reference; throws UsageError (exit 2) with one line saying what is wrong. */
export function parseImageRef(input: string): ImageRef {
  const raw = input.trim();
  if (raw === '') throw new UsageError('image reference is empty');
  if (/\s/.test(raw)) throw new UsageError(`invalid image reference "${input}": it contains white space`);
  const { name, tag, digest } = splitReference(raw);
  const slash = name.indexOf('/');
  const first = slash === -1 ? '' : name.slice(0, slash);
  const hasHost = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');

  if (!hasHost) {
    if (name.startsWith('aws/codebuild/')) {
      return { kind: 'curated', raw, name, tag: tag ?? 'latest' };
    }
    checkRepositoryPath(raw, name.toLowerCase() === name ? name : invalidCase(raw));
    return { kind: 'docker-hub', raw, repository: name.includes('/') ? name : `library/${name}`, reference: digest ?? tag ?? 'latest' };
  }

  const host = first.toLowerCase();
  const path = name.slice(slash + 1);
  checkRepositoryPath(raw, path);
  const reference = digest ?? tag ?? 'latest';

  if (host === 'public.ecr.aws') {
    const [alias, ...rest] = path.split('/');
    if (!alias || rest.length === 0) throw new UsageError(`invalid image reference "${raw}": ECR Public images look like public.ecr.aws/<alias>/<repository>`);
    return { kind: 'ecr-public', raw, alias, repository: rest.join('/'), reference };
  }

  const ecr = ECR_HOST.exec(host);
  if (ecr) {
    const account = ecr[1]!;
    const region = ecr[3]!;
    const suffix = ecr[4]!;
    const partition = partitionOfRegion(region);
    if ((suffix === 'amazonaws.com.cn') !== (partition === 'aws-cn')) {
      throw new UsageError(`invalid image reference "${raw}": region ${region} does not belong to host suffix ${suffix}`);
    }
    if (path.length < 2 || path.length > 256) {
      throw new UsageError(`invalid image reference "${raw}": an ECR repository name has 2 to 256 characters`);
    }
    const prefix = path.split('/')[0]!;
    return {
      kind: 'ecr',
      raw,
      account,
      region,
      partition,
      host,
      repository: path,
      ...(digest ? { digest } : { tag: tag ?? 'latest' }),
      reference,
      repositoryArn: `arn:${partition}:ecr:${region}:${account}:repository/${path}`,
      ...(path.includes('/') && LOOKS_LIKE_PULL_THROUGH_PREFIXES.has(prefix) ? { looksLikePullThroughPrefix: prefix } : {}),
    };
  }
  if (/amazonaws\.com(\.cn)?$|\.on\.aws$/.test(host) && host.includes('ecr')) {
    throw new UsageError(
      `invalid image reference "${raw}": "${host}" is not an ECR registry host`,
      'ECR hosts look like <12-digit account>.dkr.ecr.<region>.amazonaws.com',
    );
  }
  return { kind: 'other-registry', raw, host, repository: path, reference };
}

function splitReference(raw: string): { name: string; tag?: string; digest?: string } {
  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) {
      throw new UsageError(`invalid image reference "${raw}": a digest must be sha256: followed by 64 lowercase hex digits`);
    }
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', lastSlash + 1);
  if (colon !== -1) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new UsageError(`invalid image reference "${raw}": "${tag}" is not a valid tag`);
  }
  if (rest === '' || rest.endsWith('/')) throw new UsageError(`invalid image reference "${raw}": the repository name is missing`);
  return digest ? { name: rest, digest, ...(tag ? { tag } : {}) } : { name: rest, ...(tag ? { tag } : {}) };
}

function checkRepositoryPath(raw: string, path: string): void {
  for (const segment of path.split('/')) {
    if (!REPOSITORY_SEGMENT.test(segment)) {
      throw new UsageError(
        `invalid image reference "${raw}": repository segment "${segment}" is not valid`,
        'repository names are lowercase letters, digits and . _ - separators, segments joined by /',
      );
    }
  }
}

function invalidCase(raw: string): never {
  throw new UsageError(`invalid image reference "${raw}": repository names must be lowercase`);
}
