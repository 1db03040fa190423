import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import { planFix } from '../../src/fix/plan.js';
import type { RepositoryPolicyChange, RolePolicyChange } from '../../src/fix/plan.js';
import type { Facts } from '../../src/model/facts.js';
import { ACCOUNT, codebuildGrant, facts, OTHER, policy, project, PROJECT_ARN, pushGrant, REPO_ARN, repository, role, ROLE_ARN } from '../checks/facts-builder.js';

/** The facts as they would read after the plan was applied. */
function applied(f: Facts, change: RepositoryPolicyChange): Facts {
  const next = structuredClone(f);
  next.repositories[change.repositoryArn]!.policy = { state: 'present', value: { text: change.after } };
  return next;
}

describe('planFix: repository policy for CODEBUILD mode', () => {
  const seed = facts({ repositories: [repository({ policy: policy(pushGrant) })] });

  it('adds the service-principal statement and keeps the unrelated one byte for byte', () => {
    const { changes } = planFix(seed);
    expect(changes).toHaveLength(1);
    const c = changes[0] as RepositoryPolicyChange;
    expect(c).toMatchObject({ kind: 'repository-policy', repositoryArn: REPO_ARN, applicable: true });
    const doc = JSON.parse(c.after);
    expect(doc.Statement[0]).toEqual(pushGrant);
    expect(doc.Statement[1]).toEqual({
      Sid: 'EcrDoctorCodeBuildPull',
      Effect: 'Allow',
      Principal: { Service: 'codebuild.amazonaws.com' },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, ArnLike: { 'aws:SourceArn': PROJECT_ARN } },
    });
    expect(c.after).not.toMatch(/"\*"/);
  });

  it('makes doctor pass once applied, and a second plan is empty (idempotent)', () => {
    const after = applied(seed, planFix(seed).changes[0] as RepositoryPolicyChange);
    expect(runChecks(after).filter((r) => r.status === 'fail')).toEqual([]);
    expect(planFix(after).changes).toEqual([]);
  });

  it("widens its own statement for a second project instead of replacing the first project's grant", () => {
    const first = applied(seed, planFix(seed).changes[0] as RepositoryPolicyChange);
    const second = structuredClone(first);
    const otherArn = `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/second`;
    second.projects = [{ requested: 'second', project: { state: 'present', value: project({ name: 'second', arn: otherArn }) } }];
    const c = planFix(second).changes[0] as RepositoryPolicyChange;
    const own = JSON.parse(c.after).Statement.find((s: { Sid?: string }) => s.Sid === 'EcrDoctorCodeBuildPull');
    expect(own.Condition.ArnLike['aws:SourceArn']).toEqual([PROJECT_ARN, otherArn].sort());
  });

  it('--scope account grants project/* in the account', () => {
    const c = planFix(seed, { scope: 'account' }).changes[0] as RepositoryPolicyChange;
    expect(c.after).toContain(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*`);
  });

  it('plans nothing over an explicit Deny and says why', () => {
    const deny = { Sid: 'NoCodeBuild', Effect: 'Deny', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'ecr:*' };
    const plan = planFix(facts({ repositories: [repository({ policy: policy(codebuildGrant(), deny) })] }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes.join(' ')).toContain('never edits statements it did not write');
  });

  it('refuses an unreadable policy rather than writing over it', () => {
    const plan = planFix(facts({ repositories: [repository({ policy: { state: 'unreadable', reason: 'AccessDenied on ecr:GetRepositoryPolicy' } })] }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes[0]).toContain('will not write over what it cannot read');
  });

  it('fails clearly when the merged policy would exceed 10,240 characters', () => {
    const big = Array.from({ length: 60 }, (_, i) => ({ ...pushGrant, Sid: `Filler${i}`, Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${'x'.repeat(100)}${i}` } }));
    expect(() => planFix(facts({ repositories: [repository({ policy: policy(...big) })] }))).toThrow(/10240/);
  });
});

describe('planFix: SERVICE_ROLE mode', () => {
  const sr = project({ imagePullCredentialsType: 'SERVICE_ROLE' });

  it('plans the inline role policy with the token on * and the pull on the repository only', () => {
    const plan = planFix(facts({ project: sr, roles: [role()] }));
    const c = plan.changes[0] as RolePolicyChange;
    expect(c).toMatchObject({ kind: 'role-policy', roleArn: ROLE_ARN, roleName: 'build-role', policyName: 'ecr-doctor-image-pull', applicable: true });
    const doc = JSON.parse(c.after);
    expect(doc.Statement).toEqual([
      { Sid: 'EcrDoctorAuthToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      { Sid: 'EcrDoctorRolePull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'], Resource: REPO_ARN },
    ]);
  });

  it('across accounts plans the owner statement too, not applicable from the caller account', () => {
    const crossImage = `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`;
    const plan = planFix(facts({ project: { ...sr, image: crossImage }, roles: [role()], repositories: [repository({ account: OTHER })] }));
    const repoChange = plan.changes.find((c) => c.kind === 'repository-policy') as RepositoryPolicyChange;
    expect(repoChange).toMatchObject({ account: OTHER, applicable: false });
    expect(JSON.parse(repoChange.after).Statement[0]).toMatchObject({ Sid: 'EcrDoctorRolePull', Principal: { AWS: ROLE_ARN } });
    expect(plan.changes.find((c) => c.kind === 'role-policy')).toMatchObject({ applicable: true });
  });

  it('does not try to fix a boundary', () => {
    const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] };
    const plan = planFix(facts({ project: sr, roles: [role({ boundary })] }));
    expect(plan.notes.join(' ')).toContain('does not edit boundaries');
  });
});

describe('planFix: a build of eb deploy\'s temporary project, without the buildspec', () => {
  it('grants every Elastic Beanstalk temporary project, not the deleted one', () => {
    const id = 'Elastic-Beanstalk-my-web-app-app-170706_000919-uUTqM:4f6c1a2b-8d9e-4b3c-a7f0-2e1d5c6b9a80';
    const f = facts({
      project: null,
      extra: { builds: [{ requested: id, build: { state: 'present', value: { id, projectName: id.split(':')[0]!, buildStatus: 'FAILED', environment: { image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/app:v1' }, phases: [] } } }] },
    });
    const c = planFix(f).changes[0] as RepositoryPolicyChange;
    expect(JSON.parse(c.after).Statement[0].Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-*`);
    const result = runChecks(f).find((r) => r.check === 'codebuild-principal-can-pull');
    expect(result?.fix?.command).toBe('ecr-doctor fix --buildspec buildspec.yml --dry-run   (in the EB project folder)');
  });
});

describe('planFix: gaps a hands-on tester found', () => {
  it('plans no grant for an image in another region: the pull fails whatever the policy says', () => {
    const image = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/app:v1`;
    const plan = planFix(facts({ project: project({ image }), repositories: [repository({ region: 'eu-west-1' })] }));
    expect(plan.changes).toEqual([]);
    expect(plan.notes.join('\n')).toMatch(/region eu-west-1 but the project runs in us-east-1/);
  });

  it('SERVICE_ROLE across accounts with an unreadable owner repository: plans the role half and prints the owner statement', () => {
    const crossImage = `${OTHER}.dkr.ecr.us-east-1.amazonaws.com/app:v1`;
    const denied = { state: 'unreadable' as const, reason: 'AccessDenied on ecr:DescribeRepositories' };
    const repo = { ...repository({ account: OTHER }), repository: denied, policy: { state: 'unreadable' as const, reason: 'AccessDenied on ecr:GetRepositoryPolicy' } };
    const plan = planFix(facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE', image: crossImage }), roles: [role()], repositories: [repo] }));
    expect(plan.changes.map((c) => [c.kind, c.applicable])).toEqual([['role-policy', true]]);
    expect((plan.changes[0] as RolePolicyChange).repositoryArns).toEqual([`arn:aws:ecr:us-east-1:${OTHER}:repository/app`]);
    const note = plan.notes.find((n) => n.includes('its owner must add this statement'));
    expect(note).toContain(`account ${OTHER} cannot be read from here (AccessDenied on ecr:DescribeRepositories)`);
    expect(JSON.parse(note!.slice(note!.indexOf('{')))).toEqual({
      Sid: 'EcrDoctorRolePull',
      Effect: 'Allow',
      Principal: { AWS: ROLE_ARN },
      Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    });
  });

  it('an eb grant says that Elastic-Beanstalk-<app>-* also matches applications named <app>-...', () => {
    const eb = { projectRoot: '/p', buildspecPath: '/p/buildspec.yml', applicationName: 'shop', hasSettings: true, settings: { image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/app:v1` } };
    const plan = planFix(facts({ project: null, extra: { eb } }));
    expect((plan.changes[0] as RepositoryPolicyChange).grants.codebuildSourceArns).toEqual([`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-shop-*`]);
    expect(plan.notes).toContain(`eb:shop: arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-shop-* also matches the temporary projects of applications whose names start with "shop-" (for example shop-admin).`);
    expect(planFix(facts({ project: null, extra: { eb } }), { scope: 'account' }).notes.join(' ')).not.toContain('shop-admin');
  });

  it('describes a role change once, with what it grants, not one "let" per action', () => {
    const c = planFix(facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }), roles: [role()] })).changes[0] as RolePolicyChange;
    expect(c.why).toEqual([`let ${ROLE_ARN} pull from app (ecr:GetAuthorizationToken on *, ecr:BatchGetImage, ecr:GetDownloadUrlForLayer, ecr:BatchCheckLayerAvailability)`]);
  });
});

describe('planFix with collectRefusals (fix --all-projects, issue 14)', () => {
  const other = project({ name: 'other-build', arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/other-build`, image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/other:v1` });
  const borrowed = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' };
  function twoProjects(otherPolicy: string): Facts {
    const f = facts({ repositories: [repository(), repository({ name: 'other', policy: otherPolicy })] });
    f.projects.push({ requested: other.name, project: { state: 'present', value: other } });
    return f;
  }

  it('a repository that cannot be planned is reported; the others are still planned', () => {
    const f = twoProjects(policy(borrowed));
    expect(() => planFix(f)).toThrow(/statement "EcrDoctorCodeBuildPull" \(#0\) was not written by ecr-doctor/);
    const plan = planFix(f, { collectRefusals: true });
    expect(plan.changes.map((c) => (c as RepositoryPolicyChange).repositoryName)).toEqual(['app']);
    expect(plan.refused).toEqual([expect.stringMatching(/^the repository policy of other \(account 111122223333\): statement "EcrDoctorCodeBuildPull" \(#0\) was not written by ecr-doctor \(it is a Deny\)/)]);
  });

  it('a policy the grammar rejects (null condition value) is a refusal naming the path, not an exception', () => {
    const f = twoProjects('{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:x":null}}}]}');
    const plan = planFix(f, { collectRefusals: true });
    expect(plan.changes).toHaveLength(1);
    expect(plan.refused).toEqual([expect.stringMatching(/^the repository policy of other \(account 111122223333\) cannot be read \(\$\.Statement\[0\]\.Condition\.StringEquals\["aws:x"\]: /)]);
  });

  it('duplicate keys in a policy that needs a change are refused with the path', () => {
    const f = twoProjects(`{"Version":"2012-10-17","Statement":[${JSON.stringify(pushGrant)}],"Statement":[${JSON.stringify(pushGrant)}]}`);
    const plan = planFix(f, { collectRefusals: true });
    expect(plan.refused).toEqual(['the repository policy of other (account 111122223333) has two "Statement" keys at $; ecr-doctor will not rewrite it (edit it by hand first)']);
  });
});
