/**
 * Hand-written differential cases drawn from DOMAIN.md and the IAM User Guide's evaluation
 * rules. Each carries the decision AWS documents; both our engine and the oracle are held to it
 * (the oracle's answer may differ only where a known divergence is named).
 */
import { readFileSync } from 'node:fs';
import type { GeneratedCase } from './generators.js';
import { A, B, CODEBUILD, PROJECT_B, PROJECT_EB, PROJECT_MINE, REPO_A, REPO_A2, REPO_B, ROLE_A, ROLE_A_OTHER, ROLE_B, ROOT_A, ROOT_B, SESSION_A, SESSION_B } from './vocabulary.js';

type Json = Record<string, unknown>;
export type ComparableDecision = 'allowed' | 'implicit-deny' | 'explicit-deny';

export interface HandCase {
  name: string;
  case: GeneratedCase;
  expected: ComparableDecision;
  /** Id in fixtures/known-divergences.json when the oracle is known to answer otherwise. */
  divergence?: string;
}

export function fixture(name: string): Json {
  return JSON.parse(readFileSync(new URL(`../../fixtures/policies/${name}.json`, import.meta.url), 'utf8')) as Json;
}

const P = (...statements: Json[]): Json => ({ Version: '2012-10-17', Statement: statements });
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const CB = { Service: CODEBUILD };
const allowCb = (extra: Json = {}): Json => ({ Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: PULL, ...extra });
const allowTo = (principal: unknown, extra: Json = {}): Json => ({ Effect: 'Allow', Principal: principal, Action: PULL, ...extra });
const idAllow = (extra: Json = {}): Json => P({ Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: REPO_A, ...extra });
const ECR_BOUNDARY = P({ Effect: 'Allow', Action: 'ecr:*', Resource: '*' });
const NO_ECR_BOUNDARY = fixture('boundary-no-ecr');
const EB_CTX = { 'aws:SourceAccount': A, 'aws:SourceArn': PROJECT_EB };

interface Spec {
  caller?: GeneratedCase['caller'];
  action?: string;
  resource?: string;
  ctx?: GeneratedCase['context'];
  rp?: Json;
  ids?: Json[];
  pb?: Json;
}

function hc(name: string, spec: Spec, expected: ComparableDecision, divergence?: string): HandCase {
  const caller = spec.caller ?? 'service';
  const c: GeneratedCase = {
    caller,
    action: spec.action ?? 'ecr:BatchGetImage',
    resource: spec.resource ?? REPO_A,
    context: spec.ctx ?? {},
    identity: spec.ids ?? [],
  };
  if (spec.rp) c.resourcePolicy = spec.rp;
  if (spec.pb) c.boundary = spec.pb;
  return divergence ? { name, case: c, expected, divergence } : { name, case: c, expected };
}

const svc: HandCase[] = [
  hc('service: no repository policy', {}, 'implicit-deny'),
  hc('service: empty Statement array', { rp: P() }, 'implicit-deny'),
  hc('service: Allow to the CodeBuild service principal', { rp: P(allowCb()) }, 'allowed'),
  hc('service: Allow to Principal "*"', { rp: P(allowTo('*')) }, 'allowed'),
  hc('service: Allow to {"AWS": "*"}', { rp: P(allowTo({ AWS: '*' })) }, 'allowed'),
  hc('service: Allow to the account root only', { rp: P(allowTo({ AWS: ROOT_A })) }, 'implicit-deny'),
  hc('service: legacy CodeBuild account roots (2008-10-17)', { rp: fixture('legacy-codebuild-account-roots') }, 'implicit-deny'),
  hc('service: Allow to another service', { rp: P(allowTo({ Service: 'ec2.amazonaws.com' })) }, 'implicit-deny'),
  hc('service: only GetAuthorizationToken in Action', { rp: P(allowCb({ Action: 'ecr:GetAuthorizationToken' })) }, 'implicit-deny'),
  hc('service: layer download not granted', { action: 'ecr:GetDownloadUrlForLayer', rp: P(allowCb({ Action: 'ecr:BatchGetImage' })) }, 'implicit-deny'),
  hc('service: ecr:* covers BatchCheckLayerAvailability', { action: 'ecr:BatchCheckLayerAvailability', rp: P(allowCb({ Action: 'ecr:*' })) }, 'allowed'),
  hc('service: pinned statement, matching eb-deploy project', { rp: fixture('codebuild-pull-eb-pattern'), ctx: EB_CTX }, 'allowed'),
  hc('service: pinned statement, wrong SourceAccount', { rp: fixture('codebuild-pull-eb-pattern'), ctx: { ...EB_CTX, 'aws:SourceAccount': B } }, 'implicit-deny'),
  hc('service: pinned statement, SourceArn and SourceAccount absent', { rp: fixture('codebuild-pull-eb-pattern') }, 'implicit-deny'),
  hc('service: pinned statement, another project', { rp: fixture('codebuild-pull-eb-pattern'), ctx: { ...EB_CTX, 'aws:SourceArn': PROJECT_MINE } }, 'implicit-deny'),
  hc('service: StringEquals with a * never matches the eb project', { rp: fixture('codebuild-pull-stringequals-wildcard'), ctx: EB_CTX }, 'implicit-deny'),
  hc('service: StringLike expands the *', { rp: P(allowCb({ Condition: { StringLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${A}:project/Elastic-Beanstalk-my-app-*` } } })), ctx: EB_CTX }, 'allowed'),
  hc('service: ArnEquals expands the * like ArnLike', { rp: P(allowCb({ Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:codebuild:*:${A}:project/*` } } })), ctx: EB_CTX }, 'allowed'),
  hc('service: ArnLike is case-sensitive', { rp: P(allowCb({ Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${A}:project/MINE` } } })), ctx: { 'aws:SourceArn': PROJECT_MINE } }, 'implicit-deny'),
  hc('service: StringEqualsIgnoreCase ignores case', { rp: P(allowCb({ Condition: { StringEqualsIgnoreCase: { 'aws:SourceArn': PROJECT_MINE.toUpperCase() } } })), ctx: { 'aws:SourceArn': PROJECT_MINE } }, 'allowed'),
  hc('service: StringEquals pinned to another project', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:SourceArn': PROJECT_MINE } } })), ctx: EB_CTX }, 'implicit-deny'),
  hc('service: StringNotEquals on an absent key holds', { rp: P(allowCb({ Condition: { StringNotEquals: { 'aws:SourceAccount': B } } })) }, 'allowed'),
  hc('service: StringEqualsIfExists on an absent key holds', { rp: P(allowCb({ Condition: { StringEqualsIfExists: { 'aws:SourceArn': PROJECT_MINE } } })) }, 'allowed'),
  hc('service: ArnLikeIfExists on a present, wrong key fails', { rp: P(allowCb({ Condition: { ArnLikeIfExists: { 'aws:SourceArn': PROJECT_MINE } } })), ctx: { 'aws:SourceArn': PROJECT_B } }, 'implicit-deny'),
  hc('service: Null false on an absent key fails', { rp: P(allowCb({ Condition: { Null: { 'aws:SourceArn': 'false' } } })) }, 'implicit-deny'),
  hc('service: Null true on an absent key holds', { rp: P(allowCb({ Condition: { Null: { 'aws:SourceArn': 'true' } } })) }, 'allowed'),
  hc('service: explicit Deny beats the Allow', { rp: P(allowCb(), { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'ecr:*' }) }, 'explicit-deny'),
  hc('service: Deny with NotAction spares the pull', { rp: P(allowCb({ Action: 'ecr:*' }), { Effect: 'Deny', Principal: '*', NotAction: PULL }) }, 'allowed'),
  hc('service: Deny with NotAction hits a push', { action: 'ecr:PutImage', rp: P(allowCb({ Action: 'ecr:*' }), { Effect: 'Deny', Principal: '*', NotAction: PULL }) }, 'explicit-deny'),
  hc('service: Deny on Bool SecureTransport false', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), ctx: { 'aws:SecureTransport': 'false' } }, 'explicit-deny'),
  hc('service: Deny on BoolIfExists, key absent', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { BoolIfExists: { 'aws:SecureTransport': 'false' } } }) }, 'explicit-deny'),
  hc('service: Deny on Bool, key absent', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }) }, 'allowed'),
  hc('service: Bool compares case-insensitively', { rp: P(allowCb({ Condition: { Bool: { 'aws:SecureTransport': 'TRUE' } } })), ctx: { 'aws:SecureTransport': true } }, 'allowed'),
  hc('service: Deny unless SourceVpce denies the CodeBuild pull', { rp: fixture('deny-unless-vpce') }, 'explicit-deny'),
  hc('service: NotPrincipal Deny spares CodeBuild', { rp: fixture('deny-notprincipal') }, 'allowed'),
  hc('service: NotPrincipal Deny naming an account hits CodeBuild', { rp: P(allowTo('*'), { Effect: 'Deny', NotPrincipal: { AWS: ROOT_A }, Action: 'ecr:*' }) }, 'explicit-deny'),
  hc('service: NotResource excludes another repository', { rp: P(allowCb({ NotResource: REPO_A2 })) }, 'allowed'),
  hc('service: Resource names another repository', { rp: P(allowCb({ Resource: REPO_A2 })) }, 'implicit-deny'),
  hc('service: Resource wildcard over repositories', { rp: P(allowCb({ Resource: `arn:aws:ecr:us-east-1:${A}:repository/*` })) }, 'allowed'),
  hc('service: Resource is case-sensitive', { rp: P(allowCb({ Resource: REPO_A.toUpperCase() })) }, 'implicit-deny'),
  hc('service: Action is case-insensitive', { rp: P(allowCb({ Action: 'ECR:BATCHGETIMAGE' })) }, 'allowed'),
  hc('service: Action with ? wildcard', { rp: P(allowCb({ Action: 'ecr:BatchGet?mage' })) }, 'allowed'),
  hc('service: Version 2008-10-17 with a Statement object', { rp: { Version: '2008-10-17', Statement: allowCb() } }, 'allowed'),
  hc('service: ForAnyValue:StringEqualsIfExists on an absent key fails', { rp: P(allowCb({ Condition: { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'team' } } })) }, 'implicit-deny'),
  hc('service: ForAllValues on an absent key holds', { rp: P(allowCb({ Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } } })) }, 'allowed'),
  hc('service: ForAllValues with a value outside the set fails', { rp: P(allowCb({ Condition: { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team', 'cost'] } } })), ctx: { 'aws:TagKeys': ['team', 'env'] } }, 'implicit-deny'),
  hc('service: ForAnyValue:StringLike finds one value', { rp: P(allowCb({ Condition: { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'e*' } } })), ctx: { 'aws:TagKeys': ['team', 'env'] } }, 'allowed'),
  hc('service: a single-valued operator on a multi-valued key fails', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:TagKeys': 'team' } } })), ctx: { 'aws:TagKeys': ['team'] } }, 'implicit-deny'),
  hc('service: values of one key are OR-ed, keys AND-ed', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:SourceAccount': [B, A], 'aws:SourceArn': [PROJECT_MINE, PROJECT_EB] } } })), ctx: EB_CTX }, 'allowed'),
  hc('service: Deny with ArnNotLike on a pattern that is not a six-part ARN', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { ArnNotLike: { 'aws:SourceArn': 'arn:aws:codebuild:*' } } }), ctx: { 'aws:SourceArn': PROJECT_MINE } }, 'explicit-deny', 'arn-negated-operator-invalid-arn'),
  // Repository tags (ListTagsForResource) decide ResourceTag conditions (issue 11 item 5): the
  // doctor passes every tag, and null for a key the policy asks about that the repository lacks.
  hc('service: aws:ResourceTag/team matches the repository tag', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:ResourceTag/team': 'platform' } } })), ctx: { 'aws:ResourceTag/team': 'platform' } }, 'allowed'),
  hc('service: aws:ResourceTag/team has another value', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:ResourceTag/team': 'platform' } } })), ctx: { 'aws:ResourceTag/team': 'data' } }, 'implicit-deny'),
  hc('service: aws:ResourceTag/team absent from the repository', { rp: P(allowCb({ Condition: { StringEquals: { 'aws:ResourceTag/team': 'platform' } } })), ctx: { 'aws:ResourceTag/owner': 'x' } }, 'implicit-deny'),
  hc('service: Deny unless ecr:ResourceTag/env is prod, on a prod repository', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'ecr:ResourceTag/env': 'prod' } } }), ctx: { 'ecr:ResourceTag/env': 'prod' } }, 'allowed'),
  hc('service: Deny unless ecr:ResourceTag/env is prod, on a dev repository', { rp: P(allowCb(), { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'ecr:ResourceTag/env': 'prod' } } }), ctx: { 'ecr:ResourceTag/env': 'dev' } }, 'explicit-deny'),
];

const sameAccount: HandCase[] = [
  hc('role: identity policy allows the pull', { caller: 'role-a', ids: [idAllow()] }, 'allowed'),
  hc('role: no policies at all', { caller: 'role-a' }, 'implicit-deny'),
  hc('role: identity policy for S3 only', { caller: 'role-a', ids: [P({ Effect: 'Allow', Action: 's3:*', Resource: '*' })] }, 'implicit-deny'),
  hc('role: inline policy plus managed ECR read-only', { caller: 'role-a', action: 'ecr:GetDownloadUrlForLayer', ids: [P({ Effect: 'Allow', Action: 'logs:*', Resource: '*' }), fixture('identity-ecr-readonly')] }, 'allowed'),
  hc('role: managed allow, inline Deny', { caller: 'role-a', ids: [fixture('identity-ecr-readonly'), P({ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: `arn:aws:ecr:*:${A}:repository/team/*` })] }, 'explicit-deny'),
  hc('role: repository policy names the role ARN', { caller: 'role-a', rp: P(allowTo({ AWS: ROLE_A })) }, 'allowed'),
  hc('role: repository policy names the session ARN', { caller: 'role-a', rp: P(allowTo({ AWS: SESSION_A })) }, 'allowed'),
  hc('role: repository policy names only the account root', { caller: 'role-a', rp: P(allowTo({ AWS: ROOT_A })) }, 'implicit-deny'),
  hc('role: repository policy names only the bare account id', { caller: 'role-a', rp: P(allowTo({ AWS: A })) }, 'implicit-deny'),
  hc('role: account-root grant plus identity allow', { caller: 'role-a', rp: P(allowTo({ AWS: ROOT_A })), ids: [idAllow()] }, 'allowed'),
  hc('role: Deny naming the bare account id', { caller: 'role-a', rp: P({ Effect: 'Deny', Principal: { AWS: A }, Action: 'ecr:*' }), ids: [idAllow()] }, 'explicit-deny'),
  hc('role: repository policy names another role', { caller: 'role-a', rp: P(allowTo({ AWS: ROLE_A_OTHER })) }, 'implicit-deny'),
  hc('role: repository policy names the role ARN without its path', { caller: 'role-a', rp: P(allowTo({ AWS: `arn:aws:iam::${A}:role/cb-role` })) }, 'implicit-deny', 'role-arn-path-ignored'),
  hc('role: boundary allows ECR', { caller: 'role-a', ids: [idAllow()], pb: ECR_BOUNDARY }, 'allowed'),
  hc('role: boundary without ECR blocks the identity allow', { caller: 'role-a', ids: [idAllow()], pb: NO_ECR_BOUNDARY }, 'implicit-deny'),
  hc('role: boundary without ECR blocks a role-ARN grant', { caller: 'role-a', rp: P(allowTo({ AWS: ROLE_A })), pb: NO_ECR_BOUNDARY }, 'implicit-deny'),
  hc('role: boundary does not limit a session-ARN grant', { caller: 'role-a', rp: P(allowTo({ AWS: SESSION_A })), pb: NO_ECR_BOUNDARY }, 'allowed'),
  hc('role: boundary does not limit a "*" grant', { caller: 'role-a', rp: P(allowTo('*')), pb: NO_ECR_BOUNDARY }, 'allowed'),
  hc('role: Deny in the boundary', { caller: 'role-a', ids: [idAllow()], pb: P({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }) }, 'explicit-deny'),
  hc('role: NotPrincipal Deny listing the role, its session and its account spares it', { caller: 'role-a', rp: P({ Effect: 'Deny', NotPrincipal: { AWS: [ROLE_A, SESSION_A, ROOT_A] }, Action: 'ecr:*' }), ids: [idAllow()] }, 'allowed'),
  hc('role: NotPrincipal Deny listing another role hits it', { caller: 'role-a', rp: P({ Effect: 'Deny', NotPrincipal: { AWS: ROLE_A_OTHER }, Action: 'ecr:*' }), ids: [idAllow()] }, 'explicit-deny'),
  hc('role: NotPrincipal Deny always hits a role with a boundary', { caller: 'role-a', rp: P({ Effect: 'Deny', NotPrincipal: { AWS: [ROLE_A, SESSION_A, ROOT_A] }, Action: 'ecr:*' }), ids: [idAllow()], pb: ECR_BOUNDARY }, 'explicit-deny'),
  hc('role: identity NotResource excludes the repository', { caller: 'role-a', ids: [P({ Effect: 'Allow', Action: 'ecr:*', NotResource: `arn:aws:ecr:*:${A}:repository/team/*` })] }, 'implicit-deny'),
  hc('role: identity NotAction spares the pull', { caller: 'role-a', ids: [P({ Effect: 'Allow', NotAction: 'ecr:Put*', Resource: '*' })] }, 'allowed'),
  hc('role: "*" grant conditioned on aws:PrincipalArn', { caller: 'role-a', rp: P(allowTo('*', { Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${A}:role/service-role/*` } } })), ctx: { 'aws:PrincipalArn': ROLE_A } }, 'allowed'),
  hc('role: GetAuthorizationToken on "*"', { caller: 'role-a', action: 'ecr:GetAuthorizationToken', resource: '*', ids: [fixture('identity-ecr-readonly')] }, 'allowed'),
  hc('role: identity policy in Version 2008-10-17', { caller: 'role-a', ids: [{ Version: '2008-10-17', Statement: { Effect: 'Allow', Action: 'ecr:*', Resource: '*' } }] }, 'allowed'),
];

const crossAccount: HandCase[] = [
  hc('cross: identity policy alone', { caller: 'role-b', ids: [idAllow()] }, 'implicit-deny'),
  hc('cross: repository policy alone (root of the caller account)', { caller: 'role-b', rp: fixture('cross-account-pull') }, 'implicit-deny'),
  hc('cross: identity plus root grant', { caller: 'role-b', ids: [idAllow()], rp: fixture('cross-account-pull') }, 'allowed'),
  hc('cross: identity plus bare-id grant (2008-10-17, Statement object)', { caller: 'role-b', ids: [idAllow()], rp: fixture('version-2008-statement-object') }, 'allowed'),
  hc('cross: identity plus role-ARN grant', { caller: 'role-b', ids: [idAllow()], rp: P(allowTo({ AWS: ROLE_B })) }, 'allowed'),
  hc('cross: identity plus session-ARN grant', { caller: 'role-b', ids: [idAllow()], rp: P(allowTo({ AWS: SESSION_B })) }, 'allowed'),
  hc('cross: grant to the wrong account', { caller: 'role-b', ids: [idAllow()], rp: P(allowTo({ AWS: ROOT_A })) }, 'implicit-deny'),
  hc('cross: boundary blocks despite both sides', { caller: 'role-b', ids: [idAllow()], rp: fixture('cross-account-pull'), pb: NO_ECR_BOUNDARY }, 'implicit-deny'),
  hc('cross: boundary blocks a session-ARN grant too', { caller: 'role-b', ids: [idAllow()], rp: P(allowTo({ AWS: SESSION_B })), pb: NO_ECR_BOUNDARY }, 'implicit-deny'),
  hc('cross: identity Deny beats both allows', { caller: 'role-b', ids: [idAllow(), P({ Effect: 'Deny', Action: 'ecr:*', Resource: '*' })], rp: fixture('cross-account-pull') }, 'explicit-deny'),
  hc('cross: repository Deny on the caller account', { caller: 'role-b', ids: [idAllow()], rp: P(allowTo({ AWS: ROOT_B }), { Effect: 'Deny', Principal: { AWS: B }, Action: 'ecr:BatchGetImage' }) }, 'explicit-deny'),
  hc('cross: role in A pulls from a repository in B', { caller: 'role-a', resource: REPO_B, ids: [P({ Effect: 'Allow', Action: PULL, Resource: 'arn:aws:ecr:*:*:repository/app' })], rp: P(allowTo({ AWS: ROOT_A })) }, 'allowed'),
  hc('cross: the same without the grant in B', { caller: 'role-a', resource: REPO_B, ids: [P({ Effect: 'Allow', Action: PULL, Resource: '*' })] }, 'implicit-deny'),
];

export const HAND_CASES: readonly HandCase[] = [...svc, ...sameAccount, ...crossAccount];
