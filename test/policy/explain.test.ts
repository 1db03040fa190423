import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../src/policy/evaluate.js';
import { explainEvaluation } from '../../src/policy/explain.js';
import { ACCT, ALLOW_ECR_IDENTITY, OTHER, PROJECT, REPO, ROLE, XROLE, named, policy, roleInput, serviceInput } from './helpers.js';

const CB = { Service: 'codebuild.amazonaws.com' };

describe('explainEvaluation, word for word', () => {
  it('names the Allow that granted', () => {
    const e = evaluateAccess(serviceInput(policy({ Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: 'ecr:BatchGetImage' })));
    expect(explainEvaluation(e)).toEqual(['Allowed by statement "AllowPull" (#0) of the repository policy.']);
  });

  it('names the Deny that denied, by index when it has no Sid', () => {
    const e = evaluateAccess(
      serviceInput(
        policy(
          { Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: 'ecr:*' },
          { Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { Null: { 'aws:SourceVpce': 'true' } } },
          { Sid: 'DenyOutsideVpc', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1' } } },
        ),
      ),
    );
    expect(explainEvaluation(e)).toEqual([
      'Denied explicitly by statement #1 of the repository policy.',
      'Denied explicitly by statement "DenyOutsideVpc" (#2) of the repository policy.',
    ]);
  });

  it('says why a pinned statement did not apply', () => {
    const e = evaluateAccess(
      serviceInput(
        policy(
          { Sid: 'Push', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'ecr:PutImage' },
          {
            Sid: 'PinnedToProject',
            Effect: 'Allow',
            Principal: CB,
            Action: 'ecr:BatchGetImage',
            Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${ACCT}:project/other` } },
          },
        ),
        { 'aws:SourceArn': PROJECT },
      ),
    );
    expect(explainEvaluation(e)).toEqual([
      'No statement of the repository policy allows codebuild.amazonaws.com to perform ecr:BatchGetImage.',
      'Statement "Push" (#0) of the repository policy does not apply: action ecr:BatchGetImage is not in its Action list ("ecr:PutImage").',
      'Statement "PinnedToProject" (#1) of the repository policy does not apply: condition ArnLike aws:SourceArn expects "arn:aws:codebuild:us-east-1:111122223333:project/other" but the request has "arn:aws:codebuild:us-east-1:111122223333:project/mine".',
    ]);
  });

  it('says there is no repository policy', () => {
    expect(explainEvaluation(evaluateAccess(serviceInput(undefined)))).toEqual([
      'There is no repository policy, so nothing allows codebuild.amazonaws.com to perform ecr:BatchGetImage.',
    ]);
  });

  it('explains a principal and a resource miss', () => {
    const e = evaluateAccess(
      serviceInput(
        policy(
          { Sid: 'Legacy', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::201349592320:root' }, Action: 'ecr:*' },
          { Effect: 'Allow', Principal: CB, Action: 'ecr:*', Resource: `arn:aws:ecr:us-east-1:${ACCT}:repository/other` },
        ),
      ),
    );
    expect(explainEvaluation(e).slice(1)).toEqual([
      'Statement "Legacy" (#0) of the repository policy does not apply: its Principal does not name codebuild.amazonaws.com.',
      `Statement #1 of the repository policy does not apply: resource ${REPO} is not matched by its Resource ("arn:aws:ecr:us-east-1:${ACCT}:repository/other").`,
    ]);
  });

  it('explains the role halves: identity, boundary, and an account-only grant', () => {
    const rp = policy({ Sid: 'Acct', Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'ecr:*' });
    expect(explainEvaluation(evaluateAccess(roleInput({ resourcePolicy: rp })))).toEqual([
      `The role has no identity policies, so none allows ${ROLE} to perform ecr:BatchGetImage on ${REPO}.`,
      `No statement of the repository policy allows ${ROLE} to perform ecr:BatchGetImage.`,
      `Statement "Acct" (#0) of the repository policy does not apply: it names only the account ${ACCT}, which within the same account leaves the decision to the role's own policies.`,
    ]);
    const pb = named('Boundary', { Version: '2012-10-17', Statement: [{ Sid: 'S3Only', Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    expect(explainEvaluation(evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], boundary: pb })))).toEqual([
      `The permissions boundary "Boundary" does not allow ecr:BatchGetImage on ${REPO}.`,
      'Statement "S3Only" (#0) of the permissions boundary "Boundary" does not apply: action ecr:BatchGetImage is not in its Action list ("s3:*").',
    ]);
  });

  it('names identity and boundary statements when they allow', () => {
    const pb = named('Boundary', { Version: '2012-10-17', Statement: [{ Sid: 'Ecr', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
    expect(explainEvaluation(evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], boundary: pb })))).toEqual([
      'Allowed by statement "Pull" (#0) of the identity policy "ecr-pull".',
      'Permitted by statement "Ecr" (#0) of the permissions boundary "Boundary".',
    ]);
  });

  it('says a cross-account request needs both sides', () => {
    const e = evaluateAccess(roleInput({ roleArn: XROLE, account: OTHER, identity: [ALLOW_ECR_IDENTITY] }));
    expect(explainEvaluation(e)).toEqual([
      'There is no repository policy, so nothing there allows arn:aws:iam::444455556666:role/cb-role to perform ecr:BatchGetImage. A cross-account request needs both the role\'s policies and the resource policy to allow it.',
    ]);
  });

  it('says what cannot be evaluated', () => {
    const e = evaluateAccess(
      serviceInput(
        policy(
          { Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: 'ecr:*' },
          { Sid: 'DenyOutsideIps', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
        ),
        { 'aws:SourceIp': '192.0.2.10' },
      ),
    );
    expect(explainEvaluation(e)).toEqual([
      `Whether codebuild.amazonaws.com may perform ecr:BatchGetImage on ${REPO} cannot be decided from the policies alone.`,
      'Statement "DenyOutsideIps" (#1) of the repository policy cannot be evaluated: condition operator NotIpAddress is not evaluated by this engine (key aws:SourceIp).',
    ]);
  });
});
