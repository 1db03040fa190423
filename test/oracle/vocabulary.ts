/**
 * The vocabulary of the differential suite: the accounts, roles, repositories, actions and
 * condition keys that matter for a CodeBuild pull from ECR. Values are chosen so that patterns
 * and requests often meet (a suite where nothing ever matches proves little).
 *
 * Role names are unique across the vocabulary: the oracle only sees the session ARN, which
 * carries the role name without its path.
 */
export const A = '111122223333';
export const B = '444455556666';

export const CODEBUILD = 'codebuild.amazonaws.com';

export const ROLE_A = `arn:aws:iam::${A}:role/service-role/cb-role`;
export const ROLE_A_OTHER = `arn:aws:iam::${A}:role/deploy-role`;
export const ROLE_B = `arn:aws:iam::${B}:role/cb-role-b`;
export const SESSION_NAME = 'AWSCodeBuild-0f1e2d3c';
export const SESSION_A = `arn:aws:sts::${A}:assumed-role/cb-role/${SESSION_NAME}`;
export const SESSION_B = `arn:aws:sts::${B}:assumed-role/cb-role-b/${SESSION_NAME}`;
export const ROOT_A = `arn:aws:iam::${A}:root`;
export const ROOT_B = `arn:aws:iam::${B}:root`;

export const REPO_A = `arn:aws:ecr:us-east-1:${A}:repository/team/app`;
export const REPO_A2 = `arn:aws:ecr:us-east-1:${A}:repository/base`;
export const REPO_B = `arn:aws:ecr:eu-west-1:${B}:repository/app`;

export const PROJECT_MINE = `arn:aws:codebuild:us-east-1:${A}:project/mine`;
export const PROJECT_EB = `arn:aws:codebuild:us-east-1:${A}:project/Elastic-Beanstalk-my-app-v1-uUTqM`;
export const PROJECT_B = `arn:aws:codebuild:us-east-1:${B}:project/mine`;

export const REQUEST_ACTIONS = [
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:PutImage',
  'ecr:DescribeImages',
] as const;

export const ACTION_PATTERNS = [
  'ecr:*',
  '*',
  'ecr:BatchGetImage',
  'ecr:GetDownloadUrlForLayer',
  'ecr:BatchCheckLayerAvailability',
  'ecr:Batch*',
  'ecr:*Image',
  'ecr:Get*',
  'ecr:BatchGet?mage',
  'ECR:BATCHGETIMAGE',
  'ecr:Put*',
  'ecr:DescribeImages',
  'ecr:*Layer*',
  's3:GetObject',
] as const;

export const RESOURCE_PATTERNS = [
  '*',
  REPO_A,
  REPO_A2,
  REPO_B,
  `arn:aws:ecr:*:${A}:repository/*`,
  `arn:aws:ecr:us-east-1:${A}:repository/team/*`,
  'arn:aws:ecr:*:*:repository/app',
  `arn:aws:ecr:us-east-1:${A}:repository/team/ap?`,
  'arn:aws:ecr:*',
  `arn:aws:ecr:us-east-1:${A}:repository/TEAM/app`,
] as const;

export const PRINCIPAL_ELEMENTS: readonly unknown[] = [
  '*',
  { AWS: '*' },
  { Service: CODEBUILD },
  { Service: 'ec2.amazonaws.com' },
  { AWS: ROLE_A },
  { AWS: SESSION_A },
  { AWS: ROOT_A },
  { AWS: A },
  { AWS: ROLE_B },
  { AWS: SESSION_B },
  { AWS: ROOT_B },
  { AWS: B },
  { AWS: ROLE_A_OTHER },
  { AWS: [ROOT_B, ROLE_A] },
  { AWS: ROLE_A, Service: CODEBUILD },
  { AWS: [A, SESSION_B] },
];

/** Principal elements that name one of the callers, to keep matches frequent. */
export const LIKELY_PRINCIPALS: Record<'service' | 'role-a' | 'role-b', readonly unknown[]> = {
  service: ['*', { AWS: '*' }, { Service: CODEBUILD }, { Service: CODEBUILD, AWS: ROLE_A }],
  'role-a': ['*', { AWS: ROLE_A }, { AWS: SESSION_A }, { AWS: ROOT_A }, { AWS: A }],
  'role-b': ['*', { AWS: ROLE_B }, { AWS: SESSION_B }, { AWS: ROOT_B }, { AWS: B }],
};

/** Condition keys: each with the values a request may carry and the values a policy may test. */
export interface KeySpec {
  key: string;
  kind: 'arn' | 'string' | 'bool' | 'multi';
  requestValues: readonly (string | boolean | readonly string[])[];
  policyValues: readonly string[];
}

export const KEYS: readonly KeySpec[] = [
  {
    key: 'aws:SourceArn',
    kind: 'arn',
    requestValues: [PROJECT_MINE, PROJECT_EB, PROJECT_B],
    policyValues: [
      PROJECT_MINE,
      PROJECT_EB,
      PROJECT_B,
      `arn:aws:codebuild:us-east-1:${A}:project/*`,
      `arn:aws:codebuild:*:${A}:project/Elastic-Beanstalk-my-app-*`,
      `arn:aws:codebuild:us-east-1:${A}:project/m?ne`,
      `arn:aws:codebuild:us-east-1:${A}:project/MINE`,
      'arn:aws:codebuild:*:*:*',
      // Not six components, or a wildcard spanning a colon: ArnLike and StringLike part ways here.
      'arn:aws:codebuild:*',
      '*',
      'arn:aws:codebuild:us-east-1*',
    ],
  },
  { key: 'aws:SourceAccount', kind: 'string', requestValues: [A, B], policyValues: [A, B, '1111*', `?${A.slice(1)}`] },
  {
    key: 'aws:PrincipalArn',
    kind: 'arn',
    requestValues: [ROLE_A, ROLE_B],
    policyValues: [ROLE_A, ROLE_B, `arn:aws:iam::${A}:role/*`, 'arn:aws:iam::*:role/service-role/*', 'arn:aws:iam::*'],
  },
  { key: 'aws:SecureTransport', kind: 'bool', requestValues: ['true', 'false', true, false, 'True'], policyValues: ['true', 'false', 'FALSE', 'True'] },
  { key: 'aws:SourceVpce', kind: 'string', requestValues: ['vpce-1a2b', 'vpce-9z8y'], policyValues: ['vpce-1a2b', 'vpce-*', 'VPCE-1A2B'] },
  {
    key: 'aws:TagKeys',
    kind: 'multi',
    requestValues: [['team'], ['team', 'env'], ['cost'], ['env', 'cost', 'team'], []],
    policyValues: ['team', 'env', 'cost', 'e*'],
  },
  {
    key: 'aws:PrincipalOrgPaths',
    kind: 'multi',
    requestValues: [['o-1/r-1/ou-1/'], ['o-1/r-1/ou-2/', 'o-2/r-2/ou-3/']],
    policyValues: ['o-1/r-1/ou-1/', 'o-1/*', 'o-2/r-2/ou-3/'],
  },
];

const STRING_OPS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'];
const ARN_OPS = ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'];

/** Base operators that make sense for a key (the oracle validates operator against key type). */
export function baseOperatorsFor(spec: KeySpec): string[] {
  if (spec.kind === 'bool') return ['Bool'];
  if (spec.kind === 'arn') return [...STRING_OPS, ...ARN_OPS];
  return STRING_OPS;
}
