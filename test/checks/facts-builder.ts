import type { Fact } from '../../src/model/fact.js';
import type { Facts, ProjectInfo, RegistryFacts, RepositoryFacts, RoleFacts } from '../../src/model/facts.js';
import { registryKey } from '../../src/model/facts.js';

export const ACCOUNT = '111122223333';
export const OTHER = '444455556666';
export const REGION = 'us-east-1';
export const REPO = 'app';
export const REPO_ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${REPO}`;
export const IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${REPO}:v1`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/service-role/build-role`;
export const PROJECT = 'web-build';
export const PROJECT_ARN = `arn:aws:codebuild:${REGION}:${ACCOUNT}:project/${PROJECT}`;

export const policy = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });

export const codebuildGrant = (sourceArn = PROJECT_ARN, extra: object = {}) => ({
  Sid: 'AllowCodeBuild',
  Effect: 'Allow',
  Principal: { Service: 'codebuild.amazonaws.com' },
  Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
  Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': sourceArn } },
  ...extra,
});

export const pushGrant = {
  Sid: 'AllowCiPush',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/ci-publisher` },
  Action: ['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload'],
};

export function repository(opts: { policy?: string | Fact<{ text: string }>; exists?: boolean; images?: RepositoryFacts['images']; knownTags?: string[]; account?: string; region?: string; name?: string } = {}): RepositoryFacts {
  const account = opts.account ?? ACCOUNT;
  const region = opts.region ?? REGION;
  const name = opts.name ?? REPO;
  const policyFact: Fact<{ text: string }> =
    opts.policy === undefined ? { state: 'absent' } : typeof opts.policy === 'string' ? { state: 'present', value: { text: opts.policy } } : opts.policy;
  return {
    arn: `arn:aws:ecr:${region}:${account}:repository/${name}`,
    registryId: account,
    region,
    name,
    repository: opts.exists === false ? { state: 'absent' } : { state: 'present', value: {} },
    policy: policyFact,
    images: opts.images ?? { v1: { state: 'present', value: { digest: `sha256:${'1'.repeat(64)}`, tags: ['v1'] } } },
    ...(opts.knownTags ? { knownTags: { state: 'present', value: opts.knownTags } } : {}),
  };
}

export function role(opts: { arn?: string; inline?: Record<string, object>; attached?: Record<string, object>; boundary?: object } = {}): RoleFacts {
  const arn = opts.arn ?? ROLE_ARN;
  return {
    arn,
    role: { state: 'present', value: { name: arn.split('/').at(-1)!, path: '/service-role/' } },
    inlinePolicies: { state: 'present', value: Object.entries(opts.inline ?? {}).map(([name, doc]) => ({ name, document: JSON.stringify(doc) })) },
    attachedPolicies: { state: 'present', value: Object.entries(opts.attached ?? {}).map(([name, doc]) => ({ name, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, document: JSON.stringify(doc) })) },
    permissionsBoundary: opts.boundary ? { state: 'present', value: { name: 'boundary', document: JSON.stringify(opts.boundary) } } : { state: 'absent' },
  };
}

export const rolePullPolicy = (resource = REPO_ARN) => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: resource },
  ],
});

export function project(overrides: Partial<ProjectInfo> = {}): ProjectInfo {
  return { name: PROJECT, arn: PROJECT_ARN, image: IMAGE, serviceRole: ROLE_ARN, ...overrides };
}

/**
 * A registry as the doctor reads it: scope V2 (the default for new registries) and no policy by
 * default. Another account's registry cannot be read from the caller's account (ecr-registry.ts).
 */
export function registry(opts: { account?: string; region?: string; policy?: string | Fact<{ text: string }>; scope?: 'V1' | 'V2' | Fact<{ scope: 'V1' | 'V2' }>; pullThroughRules?: RegistryFacts['pullThroughRules']; creationTemplates?: RegistryFacts['creationTemplates'] } = {}): RegistryFacts {
  const account = opts.account ?? ACCOUNT;
  if (account !== ACCOUNT && opts.policy === undefined) {
    const fact: Fact<never> = { state: 'unreadable', reason: `cannot read from this account: the registry belongs to account ${account}` };
    return { registryId: account, region: opts.region ?? REGION, policyScope: fact, policy: fact };
  }
  const scope = opts.scope ?? 'V2';
  return {
    registryId: account,
    region: opts.region ?? REGION,
    policyScope: typeof scope === 'string' ? { state: 'present', value: { scope } } : scope,
    policy: opts.policy === undefined ? { state: 'absent' } : typeof opts.policy === 'string' ? { state: 'present', value: { text: opts.policy } } : opts.policy,
    ...(opts.pullThroughRules ? { pullThroughRules: opts.pullThroughRules } : {}),
    ...(opts.creationTemplates ? { creationTemplates: opts.creationTemplates } : {}),
  };
}

export function facts(opts: { project?: ProjectInfo | null; repositories?: RepositoryFacts[]; roles?: RoleFacts[]; registries?: RegistryFacts[]; extra?: Partial<Facts> } = {}): Facts {
  const p = opts.project === undefined ? project() : opts.project;
  const repositories = opts.repositories ?? [repository()];
  // One registry per repository's account and region unless the test says otherwise.
  const registries = opts.registries ?? [...new Map(repositories.map((r) => [registryKey(r.registryId, r.region), registry({ account: r.registryId, region: r.region })])).values()];
  return {
    schemaVersion: 1,
    region: REGION,
    caller: { state: 'present', value: { account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/dev/me`, partition: 'aws' } },
    projects: p ? [{ requested: p.name, project: { state: 'present', value: p } }] : [],
    builds: [],
    images: [],
    repositories: Object.fromEntries(repositories.map((r) => [r.arn, r])),
    roles: Object.fromEntries((opts.roles ?? []).map((r) => [r.arn, r])),
    registries: Object.fromEntries(registries.map((r) => [registryKey(r.registryId, r.region), r])),
    ...opts.extra,
  };
}
