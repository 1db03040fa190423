import type { ImageRef } from '../image/parse-image-ref.js';
import type { NamedPolicy, RepositoryFacts, RoleFacts } from '../model/facts.js';
import type { AccessRequest, ContextValue, Evaluation, NamedDocument, PolicyDocument } from '../policy/index.js';
import { evaluateAccess, parsePolicy } from '../policy/index.js';
import { REQUIRED_PULL_ACTIONS } from '../grants/pull-grants.js';
import type { PullSubject } from './subjects.js';

export type EcrImage = Extract<ImageRef, { kind: 'ecr' }>;

export const CODEBUILD_SERVICE = 'codebuild.amazonaws.com';
const UNKNOWN: ContextValue = { unknown: true };

export class PolicyTextError extends Error {
  constructor(
    readonly policyName: string,
    readonly path: string,
    message: string,
  ) {
    super(`${policyName} is not a valid policy: ${message} at ${path}`);
  }
}

export function parseOrThrow(name: string, text: string): PolicyDocument {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new PolicyTextError(name, parsed.error.path, parsed.error.message);
  return parsed.policy;
}

/**
 * The project ARN CodeBuild puts in aws:SourceArn. For eb deploy we use a name shaped like a
 * real temporary project (DOMAIN.md §2), so a condition pinned to a fixed project is seen to
 * fail the way it fails on AWS. For a bare image there is no project: the value is unknown.
 */
export function sourceArnFor(subject: PullSubject): ContextValue {
  if (!subject.projectArn) return UNKNOWN;
  if (subject.kind === 'eb-app') return subject.projectArn.replace(/\*$/, 'app-000000_000000-AbCdE');
  // --image asks about any project of the account: a grant pinned to one project does not count.
  if (subject.kind === 'image') return subject.projectArn.replace(/\*$/, SAMPLE_PROJECT);
  if (subject.projectArnIsPattern) return UNKNOWN;
  return subject.projectArn;
}

export const SAMPLE_PROJECT = '<any project>';

/**
 * The request context of CodeBuild's own pull in CODEBUILD mode. Keys we know are listed; keys
 * known to be absent are null; any other key (aws:SourceOrgID, ecr:ResourceTag/..., aws:CurrentTime)
 * is unknown to the engine, so a condition on it is "cannot decide", never a guess.
 * - The service principal calls on behalf of the project: aws:SourceArn/aws:SourceAccount.
 * - It is not an IAM principal: no principal ARN, account, org, user or MFA keys.
 * - aws:SourceIp: the IAM guide says an aws:SourceIp Deny "denies access to an AWS service that
 *   makes calls on your behalf"; the pull never comes from your IPs or VPC endpoints.
 */
export function codebuildPullRequests(subject: PullSubject, image: EcrImage): AccessRequest[] {
  const context: Record<string, ContextValue> = {
    'aws:SourceArn': sourceArnFor(subject),
    'aws:SourceAccount': subject.account ?? UNKNOWN,
    'aws:PrincipalServiceName': CODEBUILD_SERVICE,
    'aws:PrincipalIsAWSService': true,
    'aws:SecureTransport': true,
    'aws:RequestedRegion': image.region,
    'aws:ResourceAccount': image.account,
    ...absentKeys([
      'aws:SourceIp', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:VpcSourceIp',
      'aws:PrincipalArn', 'aws:PrincipalAccount', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths',
      'aws:userid', 'aws:username', 'aws:MultiFactorAuthPresent', 'aws:MultiFactorAuthAge', 'aws:TokenIssueTime',
      'aws:CalledVia', 'aws:CalledViaFirst', 'aws:CalledViaLast',
    ]),
  };
  return REQUIRED_PULL_ACTIONS.map((action) => ({
    principal: { kind: 'service', service: CODEBUILD_SERVICE },
    action,
    resource: image.repositoryArn,
    context,
    unlistedKeys: 'unknown',
  }));
}

function absentKeys(keys: readonly string[]): Record<string, ContextValue> {
  return Object.fromEntries(keys.map((k) => [k, null]));
}

/**
 * The role's session CodeBuild opens for a SERVICE_ROLE pull (session name AWSCodeBuild-<uuid>).
 * Where the call comes from (IP, VPC endpoint), the organisation and the role's tags are not
 * known to us: conditions on them come out as "cannot decide", never as a guess.
 */
export function roleSessionContext(roleArn: string, roleAccount: string, region: string, resourceAccount: string): Record<string, ContextValue> {
  return {
    'aws:PrincipalArn': roleArn,
    'aws:PrincipalAccount': roleAccount,
    'aws:PrincipalType': 'AssumedRole',
    'aws:PrincipalIsAWSService': false,
    'aws:SecureTransport': true,
    'aws:RequestedRegion': region,
    'aws:ResourceAccount': resourceAccount,
    // Temporary credentials carry the MFA key; a service-assumed session has no MFA.
    'aws:MultiFactorAuthPresent': false,
    ...absentKeys(['aws:SourceArn', 'aws:SourceAccount', 'aws:username', 'aws:CalledVia', 'aws:CalledViaFirst', 'aws:CalledViaLast', 'aws:MultiFactorAuthAge']),
  };
}

/** The session CodeBuild opens with the service role (session name AWSCodeBuild-<uuid>). */
export function codebuildRoleSession(roleArn: string, roleAccount: string) {
  return { kind: 'role' as const, roleArn, account: roleAccount, sessionName: 'AWSCodeBuild-00000000-0000-0000-0000-000000000000' };
}

export function rolePullRequests(roleArn: string, roleAccount: string, image: EcrImage): AccessRequest[] {
  const context = (resourceAccount: string): Record<string, ContextValue> => roleSessionContext(roleArn, roleAccount, image.region, resourceAccount);
  const principal = codebuildRoleSession(roleArn, roleAccount);
  return [
    { principal, action: 'ecr:GetAuthorizationToken', resource: '*', context: context(roleAccount), unlistedKeys: 'unknown' as const },
    ...REQUIRED_PULL_ACTIONS.map((action) => ({ principal, action, resource: image.repositoryArn, context: context(image.account), unlistedKeys: 'unknown' as const })),
  ];
}

/**
 * What ECR decides beyond the repository policy, for the pull verdicts. Both optional: without
 * them a pull is judged as before (keys on ResourceTag stay "cannot decide").
 */
export interface PullExtras {
  /** The registry policy when it applies to pulls (scope V2; see registry-policy-view.ts). */
  registryPolicy?: NamedDocument;
  /** The repository's tags (ListTagsForResource), for aws:ResourceTag/… and ecr:ResourceTag/… conditions. */
  resourceTags?: Record<string, string>;
}

const RESOURCE_TAG_KEY = /^(aws|ecr):resourcetag\/(.+)$/i;

/**
 * The ResourceTag keys for a request: each tag the repository has, under both prefixes, and
 * null (absent) for any ResourceTag key the policies ask about that the repository lacks. IAM
 * User Guide, "aws:ResourceTag/tag-key": a key for a tag the resource does not have is absent.
 */
export function resourceTagContext(tags: Record<string, string> | undefined, documents: readonly (PolicyDocument | undefined)[]): Record<string, ContextValue> {
  if (!tags) return {};
  const lower = new Map(Object.entries(tags).map(([k, v]) => [k.toLowerCase(), v]));
  const out: Record<string, ContextValue> = {};
  for (const [k, v] of Object.entries(tags)) {
    out[`aws:ResourceTag/${k}`] = v;
    out[`ecr:ResourceTag/${k}`] = v;
  }
  for (const doc of documents) {
    for (const st of doc?.statements ?? []) {
      for (const keys of Object.values(st.condition ?? {})) {
        for (const key of Object.keys(keys)) {
          const m = RESOURCE_TAG_KEY.exec(key);
          if (m && !(key in out)) out[key] = lower.get(m[2]!.toLowerCase()) ?? null;
        }
      }
    }
  }
  return out;
}

function withTags(request: AccessRequest, tags: Record<string, ContextValue>): AccessRequest {
  return Object.keys(tags).length === 0 ? request : { ...request, context: { ...request.context, ...tags } };
}

export interface ActionEvaluation {
  action: string;
  evaluation: Evaluation;
}

export function repositoryPolicyDocument(repo: RepositoryFacts): PolicyDocument | undefined {
  return repo.policy.state === 'present' ? parseOrThrow('the repository policy', repo.policy.value.text) : undefined;
}

export function evaluateCodebuildPull(subject: PullSubject, image: EcrImage, resourcePolicy: PolicyDocument | undefined, extra: PullExtras = {}): ActionEvaluation[] {
  const { registryPolicy } = extra;
  const tags = resourceTagContext(extra.resourceTags, [resourcePolicy, registryPolicy?.policy]);
  return codebuildPullRequests(subject, image).map((r) => withTags(r, tags)).map((request) => ({
    action: request.action,
    evaluation: evaluateAccess({
      request,
      ...(resourcePolicy ? { resourcePolicy } : {}),
      resourceAccount: image.account,
      ...(registryPolicy ? { extraResourcePolicies: [registryPolicy] } : {}),
    }),
  }));
}

/**
 * The ECR user guide does not say whether a registry-policy Allow counts as the owner's half of a
 * cross-account grant (registry-policy-view.ts): a verdict that rests on one is "cannot decide".
 */
function withCrossAccountRegistryRule(evaluation: Evaluation, registryPolicy: NamedDocument | undefined): Evaluation {
  if (!registryPolicy || !evaluation.crossAccount || evaluation.decision !== 'allowed') return evaluation;
  const resourceGrants = evaluation.deciding.filter((s) => s.kind === 'resource');
  if (resourceGrants.length === 0 || resourceGrants.some((s) => s.policy !== registryPolicy.name)) return evaluation;
  return {
    ...evaluation,
    decision: 'undecidable',
    deciding: [],
    undecidable: [
      ...evaluation.undecidable,
      ...resourceGrants.map((statement) => ({ statement, why: 'the ECR user guide does not say whether a registry-policy Allow is the owner\'s half of a cross-account grant' })),
    ],
  };
}

function toNamed(p: NamedPolicy): NamedDocument {
  return { name: p.name, policy: parseOrThrow(`policy ${p.name}`, p.document) };
}

export interface RolePolicies {
  identity: NamedDocument[];
  boundary?: NamedDocument;
}

/** The role's documents, parsed; undefined fields mean the caller must report them unreadable first. */
export function rolePolicies(role: RoleFacts): RolePolicies {
  const identity: NamedDocument[] = [];
  if (role.inlinePolicies.state === 'present') identity.push(...role.inlinePolicies.value.map(toNamed));
  if (role.attachedPolicies.state === 'present') identity.push(...role.attachedPolicies.value.map(toNamed));
  const boundary = role.permissionsBoundary.state === 'present' ? toNamed(role.permissionsBoundary.value) : undefined;
  return { identity, ...(boundary ? { boundary } : {}) };
}

export function evaluateRolePull(
  roleArn: string,
  roleAccount: string,
  image: EcrImage,
  policies: RolePolicies,
  resourcePolicy: PolicyDocument | undefined,
  extra: PullExtras = {},
): ActionEvaluation[] {
  const { registryPolicy } = extra;
  const tags = resourceTagContext(extra.resourceTags, [resourcePolicy, registryPolicy?.policy, ...policies.identity.map((d) => d.policy), policies.boundary?.policy]);
  return rolePullRequests(roleArn, roleAccount, image).map((r) => (r.action === 'ecr:GetAuthorizationToken' ? r : withTags(r, tags))).map((request) => ({
    action: request.action,
    evaluation: withCrossAccountRegistryRule(evaluateAccess({
      request,
      // A repository policy cannot grant GetAuthorizationToken (DOMAIN.md §1): only identity policies count for it.
      ...(resourcePolicy && request.action !== 'ecr:GetAuthorizationToken' ? { resourcePolicy } : {}),
      resourceAccount: request.action === 'ecr:GetAuthorizationToken' ? roleAccount : image.account,
      identityPolicies: policies.identity,
      ...(policies.boundary ? { permissionsBoundary: policies.boundary } : {}),
      // A registry policy cannot grant GetAuthorizationToken either: it is not a repository action.
      ...(registryPolicy && request.action !== 'ecr:GetAuthorizationToken' ? { extraResourcePolicies: [registryPolicy] } : {}),
    }), registryPolicy),
  }));
}
