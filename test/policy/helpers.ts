import { parsePolicy, type PolicyDocument } from '../../src/policy/parse.js';
import type { EvaluationInput, NamedDocument } from '../../src/policy/evaluate.js';

export const ACCT = '111122223333';
export const OTHER = '444455556666';
export const REPO = `arn:aws:ecr:us-east-1:${ACCT}:repository/team/app`;
export const ROLE = `arn:aws:iam::${ACCT}:role/service-role/cb-role`;
export const SESSION = `arn:aws:sts::${ACCT}:assumed-role/cb-role/AWSCodeBuild-1`;
export const XROLE = `arn:aws:iam::${OTHER}:role/cb-role`;
export const PROJECT = `arn:aws:codebuild:us-east-1:${ACCT}:project/mine`;

export function doc(value: unknown): PolicyDocument {
  const r = parsePolicy(value);
  if (!r.ok) throw new Error(`fixture policy does not parse: ${r.error.path}: ${r.error.message}`);
  return r.policy;
}

export function named(name: string, value: unknown): NamedDocument {
  return { name, policy: doc(value) };
}

/** A policy with the given statements (Version 2012-10-17). */
export function policy(...statements: Record<string, unknown>[]): PolicyDocument {
  return doc({ Version: '2012-10-17', Statement: statements });
}

export function serviceInput(resourcePolicy: PolicyDocument | undefined, context: EvaluationInput['request']['context'] = {}, action = 'ecr:BatchGetImage'): EvaluationInput {
  const input: EvaluationInput = {
    request: { principal: { kind: 'service', service: 'codebuild.amazonaws.com' }, action, resource: REPO, context },
  };
  if (resourcePolicy) input.resourcePolicy = resourcePolicy;
  return input;
}

export function roleInput(opts: {
  roleArn?: string;
  account?: string;
  resourcePolicy?: PolicyDocument;
  identity?: NamedDocument[];
  boundary?: NamedDocument;
  action?: string;
  resource?: string;
  context?: EvaluationInput['request']['context'];
}): EvaluationInput {
  const input: EvaluationInput = {
    request: {
      principal: { kind: 'role', roleArn: opts.roleArn ?? ROLE, account: opts.account ?? ACCT, sessionName: 'AWSCodeBuild-1' },
      action: opts.action ?? 'ecr:BatchGetImage',
      resource: opts.resource ?? REPO,
      context: opts.context ?? {},
    },
  };
  if (opts.resourcePolicy) input.resourcePolicy = opts.resourcePolicy;
  if (opts.identity) input.identityPolicies = opts.identity;
  if (opts.boundary) input.permissionsBoundary = opts.boundary;
  return input;
}

export const ALLOW_ECR_IDENTITY = named('ecr-pull', {
  Version: '2012-10-17',
  Statement: [{ Sid: 'Pull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }],
});
