// Issue 14: explain only what decides. For a missing Allow, the near misses of the missing policy
// part only (identity, boundary or resource), in statement order; never a line about an action
// that is allowed, never a statement of a part that allowed it.
import { describe, expect, it } from 'vitest';
import { evaluationEvidence } from '../../src/checks/describe-evaluation.js';
import { evaluateAccess } from '../../src/policy/evaluate.js';
import { explainEvaluation } from '../../src/policy/explain.js';
import { ACCT, REPO, ROLE, named, policy, roleInput } from './helpers.js';

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];
const identity = named('ecr-pull', {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'Pull', Effect: 'Allow', Action: PULL, Resource: REPO },
  ],
});
const pullOnlyBoundary = named('Boundary', { Version: '2012-10-17', Statement: [{ Sid: 'PullOnly', Effect: 'Allow', Action: PULL, Resource: '*' }] });
const evaluate = (action: string, resource: string, opts: Parameters<typeof roleInput>[0]) => ({ action, evaluation: evaluateAccess(roleInput({ ...opts, action, resource })) });

describe('explain only what decides', () => {
  it('with a boundary: the boundary is what is missing, not identity statement #1 (identity #0 allows the token)', () => {
    const e = evaluateAccess(roleInput({ identity: [identity], boundary: pullOnlyBoundary, action: 'ecr:GetAuthorizationToken', resource: '*' }));
    expect(e.decision).toBe('implicit-deny');
    expect(explainEvaluation(e)).toEqual([
      'The permissions boundary "Boundary" does not allow ecr:GetAuthorizationToken on *.',
      'Statement "PullOnly" (#0) of the permissions boundary "Boundary" does not apply: action ecr:GetAuthorizationToken is not in its Action list ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer").',
    ]);
  });

  it('over the three actions of a pull: only the denied action, summaries first, near misses in statement order', () => {
    const tokenAndBatchOnly = named('partial', {
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'Batch', Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: REPO },
      ],
    });
    const rp = policy({ Sid: 'Push', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:role/ci` }, Action: 'ecr:PutImage' });
    const opts = { identity: [tokenAndBatchOnly], resourcePolicy: rp };
    const evidence = evaluationEvidence([
      evaluate('ecr:GetAuthorizationToken', '*', opts),
      evaluate('ecr:BatchGetImage', REPO, opts),
      evaluate('ecr:GetDownloadUrlForLayer', REPO, opts),
    ]);
    expect(evidence.explanation).toEqual([
      `No identity policy of the role allows ${ROLE} to perform ecr:GetDownloadUrlForLayer on ${REPO}.`,
      `No statement of the repository policy allows ${ROLE} to perform ecr:GetDownloadUrlForLayer.`,
      'Statement "Token" (#0) of the identity policy "partial" does not apply: action ecr:GetDownloadUrlForLayer is not in its Action list ("ecr:GetAuthorizationToken").',
      'Statement "Batch" (#1) of the identity policy "partial" does not apply: action ecr:GetDownloadUrlForLayer is not in its Action list ("ecr:BatchGetImage").',
      'Statement "Push" (#0) of the repository policy does not apply: action ecr:GetDownloadUrlForLayer is not in its Action list ("ecr:PutImage").',
    ]);
    expect(JSON.stringify(evidence.explanation)).not.toContain('perform ecr:GetAuthorizationToken');
  });

  it('two denied actions missing from the same statements are said once, in statement order', () => {
    const tokenOnly = named('token', { Version: '2012-10-17', Statement: [{ Sid: 'Token', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }] });
    const opts = { identity: [tokenOnly] };
    const evidence = evaluationEvidence([evaluate('ecr:GetAuthorizationToken', '*', opts), evaluate('ecr:BatchGetImage', REPO, opts), evaluate('ecr:GetDownloadUrlForLayer', REPO, opts)]);
    expect(evidence.explanation).toEqual([
      `No identity policy of the role allows ${ROLE} to perform ecr:BatchGetImage on ${REPO}.`,
      'Statement "Token" (#0) of the identity policy "token" does not apply: action ecr:BatchGetImage is not in its Action list ("ecr:GetAuthorizationToken").',
    ]);
  });

  it('an allowed pull names the statements that allowed it; a Deny names the Deny only', () => {
    const allowed = evaluationEvidence([evaluate('ecr:GetAuthorizationToken', '*', { identity: [identity] }), evaluate('ecr:BatchGetImage', REPO, { identity: [identity] })]);
    expect(allowed.explanation).toEqual(['Allowed by statement "Token" (#0) of the identity policy "ecr-pull".', 'Allowed by statement "Pull" (#1) of the identity policy "ecr-pull".']);
    const deny = named('deny', { Version: '2012-10-17', Statement: [{ Sid: 'NoPull', Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] });
    const denied = evaluationEvidence([evaluate('ecr:GetAuthorizationToken', '*', { identity: [identity, deny] }), evaluate('ecr:BatchGetImage', REPO, { identity: [identity, deny] })]);
    expect(denied.explanation).toEqual(['Denied explicitly by statement "NoPull" (#0) of the identity policy "deny".']);
  });
});
