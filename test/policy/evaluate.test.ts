import { describe, expect, it } from 'vitest';
import { evaluateAccess } from '../../src/policy/evaluate.js';
import { ACCT, ALLOW_ECR_IDENTITY, OTHER, PROJECT, REPO, ROLE, SESSION, XROLE, named, policy, roleInput, serviceInput } from './helpers.js';

const CB = { Service: 'codebuild.amazonaws.com' };
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

describe('service principal (CODEBUILD pull mode)', () => {
  it('is implicitly denied without a repository policy', () => {
    const e = evaluateAccess(serviceInput(undefined));
    expect(e.decision).toBe('implicit-deny');
    expect(e.parts).toEqual({ resource: 'implicit-deny' });
    expect(e.inputs.resourcePolicy).toBeUndefined();
  });

  it('is allowed by a statement naming the service, and reports it as deciding', () => {
    const e = evaluateAccess(serviceInput(policy({ Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: PULL })));
    expect(e.decision).toBe('allowed');
    expect(e.deciding).toEqual([{ policy: 'repository policy', index: 0, sid: 'AllowPull', kind: 'resource', effect: 'Allow' }]);
  });

  it.each([['*'], [{ AWS: '*' }]])('is allowed by Principal %j', (principal) => {
    expect(evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' }))).decision).toBe('allowed');
  });

  it('is not matched by an account principal or another service, case-sensitively', () => {
    for (const principal of [{ AWS: ACCT }, { Service: 'CodeBuild.amazonaws.com' }, { Service: 'ec2.amazonaws.com' }]) {
      const e = evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' })));
      expect(e.decision).toBe('implicit-deny');
      expect(e.nonMatches[0]).toMatchObject({ element: 'principal', detail: 'its Principal does not name codebuild.amazonaws.com' });
    }
  });

  it('ignores identity policies and boundaries: only the repository policy can allow', () => {
    const input = { ...serviceInput(undefined), identityPolicies: [ALLOW_ECR_IDENTITY] };
    const e = evaluateAccess(input);
    expect(e.decision).toBe('implicit-deny');
    expect(e.parts.identity).toBeUndefined();
  });

  it('matches actions case-insensitively with * and ? wildcards', () => {
    for (const action of ['ECR:batchgetimage', 'ecr:Batch*', 'ecr:BatchGetImag?', '*', 'ecr:*']) {
      expect(evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: CB, Action: action }))).decision).toBe('allowed');
    }
    const e = evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: CB, Action: 'ecr:GetAuthorizationToken' })));
    expect(e.nonMatches[0]).toMatchObject({ element: 'action', detail: 'action ecr:BatchGetImage is not in its Action list ("ecr:GetAuthorizationToken")' });
  });

  it('matches resources case-sensitively with wildcards', () => {
    const allowOn = (r: string) => evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: CB, Action: 'ecr:*', Resource: r }))).decision;
    expect(allowOn(REPO)).toBe('allowed');
    expect(allowOn(`arn:aws:ecr:*:${ACCT}:repository/*`)).toBe('allowed');
    expect(allowOn('arn:aws:ecr:*')).toBe('allowed');
    expect(allowOn(`arn:aws:ecr:us-east-1:${ACCT}:repository/team/ap?`)).toBe('allowed');
    expect(allowOn(REPO.toUpperCase())).toBe('implicit-deny');
    expect(allowOn(`arn:aws:ecr:us-east-1:${ACCT}:repository/other`)).toBe('implicit-deny');
  });

  it('applies NotAction and NotResource', () => {
    const na = (a: string) => evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: CB, NotAction: a }))).decision;
    expect(na('ecr:Put*')).toBe('allowed');
    expect(na('ecr:Batch*')).toBe('implicit-deny');
    const nr = (r: string) => evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: CB, Action: 'ecr:*', NotResource: r }))).decision;
    expect(nr(`arn:aws:ecr:us-east-1:${ACCT}:repository/other`)).toBe('allowed');
    expect(nr(REPO)).toBe('implicit-deny');
  });

  it('lets an explicit Deny win over an Allow', () => {
    const e = evaluateAccess(
      serviceInput(
        policy(
          { Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: PULL },
          { Sid: 'DenyAll', Effect: 'Deny', Principal: '*', Action: 'ecr:*' },
        ),
      ),
    );
    expect(e.decision).toBe('explicit-deny');
    expect(e.deciding.map((d) => d.sid)).toEqual(['DenyAll']);
    expect(e.parts.resource).toBe('explicit-deny');
  });

  it('applies NotPrincipal on a Deny', () => {
    const deny = (np: unknown) =>
      evaluateAccess(serviceInput(policy({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }, { Effect: 'Deny', NotPrincipal: np, Action: 'ecr:*' }))).decision;
    expect(deny(CB)).toBe('allowed');
    expect(deny({ Service: 'ec2.amazonaws.com' })).toBe('explicit-deny');
  });

  it('pins aws:SourceArn and aws:SourceAccount', () => {
    const pinned = policy({
      Sid: 'Pinned',
      Effect: 'Allow',
      Principal: CB,
      Action: PULL,
      Condition: { StringEquals: { 'aws:SourceAccount': ACCT }, ArnLike: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${ACCT}:project/*` } },
    });
    expect(evaluateAccess(serviceInput(pinned, { 'aws:SourceAccount': ACCT, 'aws:SourceArn': PROJECT })).decision).toBe('allowed');
    const wrong = evaluateAccess(serviceInput(pinned, { 'aws:SourceAccount': OTHER, 'aws:SourceArn': PROJECT }));
    expect(wrong.decision).toBe('implicit-deny');
    expect(wrong.nonMatches[0]).toMatchObject({ element: 'condition', operator: 'StringEquals', key: 'aws:SourceAccount', expected: [ACCT], actual: OTHER });
    const absent = evaluateAccess(serviceInput(pinned, {}));
    expect(absent.nonMatches[0]).toMatchObject({ key: 'aws:SourceAccount', actual: null });
  });

  it('StringEquals does not expand * in a SourceArn pin; ArnLike does', () => {
    const pin = (op: string) =>
      evaluateAccess(
        serviceInput(policy({ Effect: 'Allow', Principal: CB, Action: PULL, Condition: { [op]: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${ACCT}:project/Elastic-Beanstalk-app-*` } } }), {
          'aws:SourceArn': `arn:aws:codebuild:us-east-1:${ACCT}:project/Elastic-Beanstalk-app-v1-uUTqM`,
        }),
      ).decision;
    expect(pin('StringEquals')).toBe('implicit-deny');
    expect(pin('ArnLike')).toBe('allowed');
    expect(pin('StringLike')).toBe('allowed');
  });
});

describe('undecidable statements', () => {
  const ipDeny = { Sid: 'DenyOutsideIps', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } };
  const allow = { Sid: 'AllowPull', Effect: 'Allow', Principal: CB, Action: PULL };

  it('is undecidable when an unevaluated Deny stands between an Allow and the answer', () => {
    const e = evaluateAccess(serviceInput(policy(allow, ipDeny), { 'aws:SourceIp': '192.0.2.10' }));
    expect(e.decision).toBe('undecidable');
    expect(e.deciding).toEqual([]);
    expect(e.undecidable).toEqual([
      { statement: { policy: 'repository policy', index: 1, sid: 'DenyOutsideIps', kind: 'resource', effect: 'Deny' }, operator: 'NotIpAddress', key: 'aws:SourceIp', why: 'condition operator NotIpAddress is not evaluated by this engine' },
    ]);
  });

  it('stays an implicit deny when nothing could allow anyway, still listing the unknown', () => {
    const e = evaluateAccess(serviceInput(policy(ipDeny), { 'aws:SourceIp': '192.0.2.10' }));
    expect(e.decision).toBe('implicit-deny');
    expect(e.undecidable).toHaveLength(1);
  });

  it('is undecidable for an Allow whose condition cannot be evaluated', () => {
    const e = evaluateAccess(serviceInput(policy({ ...allow, Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } }), { 'aws:CurrentTime': '2026-11-26T00:00:00Z' }));
    expect(e.decision).toBe('undecidable');
    expect(e.parts.resource).toBe('undecidable');
  });

  it('is decided when another statement settles it regardless', () => {
    const e = evaluateAccess(serviceInput(policy({ ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }, { Sid: 'Plain', Effect: 'Allow', Principal: CB, Action: PULL })));
    expect(e.decision).toBe('allowed');
    expect(e.deciding.map((d) => d.sid)).toEqual(['Plain']);
    const denied = evaluateAccess(serviceInput(policy(allow, ipDeny, { Sid: 'Hard', Effect: 'Deny', Principal: '*', Action: '*' }), { 'aws:SourceIp': '192.0.2.10' }));
    expect(denied.decision).toBe('explicit-deny');
    expect(denied.deciding.map((d) => d.sid)).toEqual(['Hard']);
  });

  it('decides an unevaluated operator when its key is absent: negated holds, positive does not (regression: a NotIpAddress lock-down Deny was reported as undecidable)', () => {
    const e = evaluateAccess(serviceInput(policy(allow, ipDeny)));
    expect(e.decision).toBe('explicit-deny');
    expect(e.deciding.map((d) => d.sid)).toEqual(['DenyOutsideIps']);
    const onlyFromIps = evaluateAccess(serviceInput(policy({ ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })));
    expect(onlyFromIps.decision).toBe('implicit-deny');
    const ifExists = evaluateAccess(serviceInput(policy({ ...allow, Condition: { IpAddressIfExists: { 'aws:SourceIp': '10.0.0.0/8' } } })));
    expect(ifExists.decision).toBe('allowed');
  });

  it('treats a context value marked unknown as undecidable', () => {
    const e = evaluateAccess(
      serviceInput(policy({ ...allow, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } }), { 'aws:SourceVpce': { unknown: true } }),
    );
    expect(e.decision).toBe('undecidable');
    expect(e.undecidable[0]).toMatchObject({ key: 'aws:SourceVpce', why: 'the value of aws:SourceVpce is not known' });
  });
});

describe('role principal, same account (SERVICE_ROLE pull mode)', () => {
  it('is allowed by its identity policy alone', () => {
    const e = evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY] }));
    expect(e.decision).toBe('allowed');
    expect(e.parts).toEqual({ identity: 'allowed', resource: 'implicit-deny' });
    expect(e.deciding).toEqual([{ policy: 'ecr-pull', index: 0, sid: 'Pull', kind: 'identity', effect: 'Allow' }]);
    expect(e.crossAccount).toBe(false);
  });

  it('combines inline and managed policies', () => {
    const inline = named('inline', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:BatchGetImage', Resource: REPO }] });
    const managed = named('AmazonEC2ContainerRegistryReadOnly', {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: `arn:aws:ecr:*:${ACCT}:repository/team/*` }],
    });
    expect(evaluateAccess(roleInput({ identity: [inline] })).decision).toBe('allowed');
    const e = evaluateAccess(roleInput({ identity: [inline, managed] }));
    expect(e.decision).toBe('explicit-deny');
    expect(e.deciding).toEqual([{ policy: 'AmazonEC2ContainerRegistryReadOnly', index: 0, kind: 'identity', effect: 'Deny' }]);
  });

  it('is allowed by a repository policy naming the role ARN, the session ARN or "*"', () => {
    for (const principal of [{ AWS: ROLE }, { AWS: SESSION }, '*', { AWS: '*' }]) {
      expect(evaluateAccess(roleInput({ resourcePolicy: policy({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' }) })).decision).toBe('allowed');
    }
  });

  it('is not granted by a repository policy naming only the account (root ARN or bare id)', () => {
    for (const account of [`arn:aws:iam::${ACCT}:root`, ACCT]) {
      const e = evaluateAccess(roleInput({ resourcePolicy: policy({ Sid: 'Acct', Effect: 'Allow', Principal: { AWS: account }, Action: 'ecr:*' }) }));
      expect(e.decision).toBe('implicit-deny');
      expect(e.parts.resource).toBe('implicit-deny');
      expect(e.nonMatches[0]).toMatchObject({ element: 'principal', detail: expect.stringContaining(`names only the account ${ACCT}`) });
      // ...but with an identity policy it is allowed, through IAM.
      expect(evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: policy({ Effect: 'Allow', Principal: { AWS: account }, Action: 'ecr:*' }) })).decision).toBe('allowed');
    }
  });

  it('does not match another role or a role ARN with another path', () => {
    for (const arn of [`arn:aws:iam::${ACCT}:role/other`, `arn:aws:iam::${ACCT}:role/cb-role`]) {
      expect(evaluateAccess(roleInput({ resourcePolicy: policy({ Effect: 'Allow', Principal: { AWS: arn }, Action: 'ecr:*' }) })).decision).toBe('implicit-deny');
    }
  });

  it('lets a Deny naming the account deny the role', () => {
    const e = evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: policy({ Effect: 'Deny', Principal: { AWS: ACCT }, Action: 'ecr:*' }) }));
    expect(e.decision).toBe('explicit-deny');
  });

  it('applies NotPrincipal: the session excludes the caller; the role or account alone cannot be decided (IAM guide: list role, session and account)', () => {
    const deny = (np: unknown, boundary = false) =>
      evaluateAccess(
        roleInput({
          identity: [ALLOW_ECR_IDENTITY],
          resourcePolicy: policy({ Effect: 'Deny', NotPrincipal: np, Action: 'ecr:*' }),
          ...(boundary ? { boundary: named('pb', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] }) } : {}),
        }),
      ).decision;
    expect(deny({ AWS: ROLE })).toBe('undecidable');
    expect(deny({ AWS: SESSION })).toBe('allowed');
    expect(deny({ AWS: [ROLE, SESSION, ACCT] })).toBe('allowed');
    expect(deny({ AWS: ACCT })).toBe('undecidable');
    expect(deny({ AWS: `arn:aws:iam::${ACCT}:role/other` })).toBe('explicit-deny');
    // AWS: a NotPrincipal Deny always denies a principal that has a permissions boundary.
    expect(deny({ AWS: [ROLE, SESSION, ACCT] }, true)).toBe('explicit-deny');
  });

  describe('with a permissions boundary', () => {
    const boundaryEcr = named('boundary', { Version: '2012-10-17', Statement: [{ Sid: 'Ecr', Effect: 'Allow', Action: 'ecr:*', Resource: '*' }] });
    const boundaryS3 = named('boundary', { Version: '2012-10-17', Statement: [{ Sid: 'S3', Effect: 'Allow', Action: 's3:*', Resource: '*' }] });

    it('needs the boundary to allow what the identity policy allows', () => {
      const ok = evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], boundary: boundaryEcr }));
      expect(ok.decision).toBe('allowed');
      expect(ok.deciding.map((d) => `${d.kind}:${d.sid}`)).toEqual(['identity:Pull', 'boundary:Ecr']);
      const blocked = evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], boundary: boundaryS3 }));
      expect(blocked.decision).toBe('implicit-deny');
      expect(blocked.parts).toEqual({ identity: 'allowed', resource: 'implicit-deny', boundary: 'implicit-deny' });
    });

    it('limits a repository-policy grant to the role ARN', () => {
      const rp = policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'ecr:*' });
      expect(evaluateAccess(roleInput({ resourcePolicy: rp, boundary: boundaryS3 })).decision).toBe('implicit-deny');
      expect(evaluateAccess(roleInput({ resourcePolicy: rp, boundary: boundaryEcr })).decision).toBe('allowed');
    });

    it('does not limit a grant to the session ARN or to "*"', () => {
      for (const principal of [{ AWS: SESSION }, '*']) {
        const rp = policy({ Effect: 'Allow', Principal: principal, Action: 'ecr:*' });
        expect(evaluateAccess(roleInput({ resourcePolicy: rp, boundary: boundaryS3 })).decision).toBe('allowed');
      }
    });

    it('denies explicitly through a Deny in the boundary', () => {
      const pb = named('pb', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: '*' }] });
      const e = evaluateAccess(roleInput({ identity: [ALLOW_ECR_IDENTITY], boundary: pb }));
      expect(e.decision).toBe('explicit-deny');
      expect(e.deciding).toEqual([{ policy: 'pb', index: 1, kind: 'boundary', effect: 'Deny' }]);
    });
  });
});

describe('role principal, cross account', () => {
  const cross = (opts: Parameters<typeof roleInput>[0]) => roleInput({ roleArn: XROLE, account: OTHER, ...opts });
  const rpFor = (principal: unknown) => policy({ Effect: 'Allow', Principal: principal, Action: PULL });

  it('needs both the identity policy and the repository policy', () => {
    expect(evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY] })).decision).toBe('implicit-deny');
    expect(evaluateAccess(cross({ resourcePolicy: rpFor({ AWS: XROLE }) })).decision).toBe('implicit-deny');
    const e = evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: rpFor({ AWS: XROLE }) }));
    expect(e.decision).toBe('allowed');
    expect(e.crossAccount).toBe(true);
    expect(e.deciding.map((d) => d.kind)).toEqual(['identity', 'resource']);
  });

  it('counts the account as a grant: root ARN and bare id', () => {
    for (const principal of [{ AWS: `arn:aws:iam::${OTHER}:root` }, { AWS: OTHER }]) {
      const e = evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: rpFor(principal) }));
      expect(e.decision).toBe('allowed');
      expect(e.parts.resource).toBe('allowed');
    }
    expect(evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: rpFor({ AWS: ACCT }) })).decision).toBe('implicit-deny');
  });

  it('still needs the boundary, even for a session-ARN grant', () => {
    const pb = named('pb', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });
    const rp = rpFor({ AWS: `arn:aws:sts::${OTHER}:assumed-role/cb-role/AWSCodeBuild-1` });
    expect(evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: rp })).decision).toBe('allowed');
    expect(evaluateAccess(cross({ identity: [ALLOW_ECR_IDENTITY], resourcePolicy: rp, boundary: pb })).decision).toBe('implicit-deny');
  });

  it('takes the resource account from resourceAccount when given', () => {
    const input = { ...roleInput({ identity: [ALLOW_ECR_IDENTITY] }), resourceAccount: OTHER };
    expect(evaluateAccess(input).crossAccount).toBe(true);
  });
});

describe('Version 2008-10-17', () => {
  it('evaluates like 2012-10-17 for the same statement', () => {
    const p = { Version: '2008-10-17', Statement: [{ Sid: 'Old', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:role/service-role/cb-role` }, Action: 'ecr:*' }] };
    expect(evaluateAccess(roleInput({ resourcePolicy: named('x', p).policy })).decision).toBe('allowed');
  });
});
