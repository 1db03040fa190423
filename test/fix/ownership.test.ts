import { describe, expect, it } from 'vitest';
import { keepsForeignStatements } from '../../src/fix/apply.js';
import { findOwnedStatements } from '../../src/fix/ownership.js';
import type { RepositoryPolicyChange, RolePolicyChange } from '../../src/fix/plan.js';
import { PlanError, planFix } from '../../src/fix/plan.js';
import { codebuildPullStatement, withoutCoveredArns } from '../../src/grants/pull-grants.js';
import { ACCOUNT, facts, policy, project, PROJECT_ARN, pushGrant, REPO_ARN, repository, role } from '../checks/facts-builder.js';

const ours = codebuildPullStatement(ACCOUNT, [`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/other`]);
const planOver = (...statements: object[]) => () => planFix(facts({ repositories: [repository({ policy: policy(...statements) })] }));

describe('ownership: a Sid alone does not make a statement ecr-doctor\'s', () => {
  it("refuses to replace a user's Deny named EcrDoctorCodeBuildPull, naming it", () => {
    // It denies deletion to someone else, so the pull itself is still missing: before, fix replaced it with its grant.
    const deny = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/intern` }, Action: 'ecr:DeleteRepository' };
    expect(planOver(pushGrant, deny)).toThrow(PlanError);
    expect(planOver(pushGrant, deny)).toThrow(
      'the repository policy of app (account 111122223333): statement "EcrDoctorCodeBuildPull" (#1) was not written by ecr-doctor (it is a Deny); rename or remove it, then run fix again',
    );
  });

  it.each([
    ['it grants ecr:PutImage, not only the pull actions', { ...ours, Action: ['ecr:BatchGetImage', 'ecr:PutImage'] }],
    ['its principal is not codebuild.amazonaws.com alone', { ...ours, Principal: { Service: ['codebuild.amazonaws.com', 'lambda.amazonaws.com'] } }],
    ['it has NotResource', { ...ours, NotResource: 'arn:aws:ecr:*:*:repository/secret' }],
    ['it has conditions other than StringEquals aws:SourceAccount and ArnLike aws:SourceArn', { ...ours, Condition: { ...(ours.Condition as object), Bool: { 'aws:SecureTransport': 'true' } } }],
    // Hand-edited to StringLike: rewriting it would drop what it grants.
    ['it has conditions other than StringEquals aws:SourceAccount and ArnLike aws:SourceArn', { ...ours, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT }, StringLike: { 'aws:SourceArn': 'arn:aws:codebuild:eu-west-1:*' } } }],
    ['it has no ArnLike aws:SourceArn', { ...ours, Action: 'ecr:BatchCheckLayerAvailability', Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } }],
  ])('refuses a statement with our Sid when %s', (why, statement) => {
    expect(planOver(pushGrant, statement)).toThrow(`(${why}); rename or remove it`);
  });

  it('refuses two statements with the same owned Sid', () => {
    expect(planOver(ours, pushGrant, ours)).toThrow('statement "EcrDoctorCodeBuildPull" (#2) was not written by ecr-doctor (another statement (#0) has the same Sid)');
  });

  it('leaves alone a foreign statement with one of our Sids that this change does not write', () => {
    const odd = { Sid: 'EcrDoctorRolePull', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' };
    const c = planOver(pushGrant, odd)().changes[0] as RepositoryPolicyChange;
    expect(JSON.parse(c.after).Statement.slice(0, 2)).toEqual([pushGrant, odd]);
  });

  it('reads its own aws:SourceArn back as a string or a list, and widens it', () => {
    const third = `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/third`;
    const twoArns = codebuildPullStatement(ACCOUNT, [`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/other`, third]);
    for (const st of [ours, twoArns]) {
      const c = planOver(pushGrant, st)().changes[0] as RepositoryPolicyChange;
      const own = JSON.parse(c.after).Statement.find((s: { Sid?: string }) => s.Sid === 'EcrDoctorCodeBuildPull');
      expect(own.Condition.ArnLike['aws:SourceArn']).toEqual(expect.arrayContaining([PROJECT_ARN, `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/other`]));
    }
  });

  it('refuses its own statement when aws:SourceAccount names another account', () => {
    expect(planOver(codebuildPullStatement('999988887777', [PROJECT_ARN.replace('web-build', 'x')]))).toThrow("its aws:SourceAccount is 999988887777, not the repository's account 111122223333");
  });

  it('refuses a hand-widened EcrDoctorRolePull in the inline role policy (Resource "*")', () => {
    const inline = { 'ecr-doctor-image-pull': policy({ Sid: 'EcrDoctorRolePull', Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: '*' }) };
    const f = facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }), roles: [role({ inline: { 'ecr-doctor-image-pull': JSON.parse(inline['ecr-doctor-image-pull']) } })] });
    // The hand-edited statement grants only two actions on "*": the token is still missing, so a change is planned.
    expect(() => planFix(f)).toThrow('the inline policy ecr-doctor-image-pull of role build-role: statement "EcrDoctorRolePull" (#0) was not written by ecr-doctor (its Resource is not a list of repository ARNs)');
  });

  it('findOwnedStatements accepts exactly what grants/pull-grants.ts writes', () => {
    expect(findOwnedStatements(policy(pushGrant, ours), 'repository', ['EcrDoctorCodeBuildPull'])).toMatchObject({ ok: true });
    const f = facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }), roles: [role()] });
    const written = (planFix(f).changes[0] as RolePolicyChange).after;
    const owned = findOwnedStatements(written, 'role', ['EcrDoctorAuthToken', 'EcrDoctorRolePull']);
    expect(owned.ok && [...owned.bySid.keys()]).toEqual(['EcrDoctorAuthToken', 'EcrDoctorRolePull']);
    expect(findOwnedStatements(written, 'repository', ['EcrDoctorRolePull'])).toMatchObject({ ok: false });
  });
});

describe('keepsForeignStatements uses the same rule', () => {
  it('a Deny carrying our Sid is foreign: losing it fails the check', () => {
    const deny = { Sid: 'EcrDoctorCodeBuildPull', Effect: 'Deny', Principal: '*', Action: 'ecr:DeleteRepository' };
    expect(keepsForeignStatements(policy(pushGrant, deny), policy(pushGrant, ours), ['EcrDoctorCodeBuildPull'])).toBe(false);
    expect(keepsForeignStatements(policy(pushGrant, ours), policy(pushGrant, codebuildPullStatement(ACCOUNT, [PROJECT_ARN])), ['EcrDoctorCodeBuildPull'])).toBe(true);
  });
  it('only the Sids the change writes are ours: any other EcrDoctor* statement must survive', () => {
    const roleStatement = { Sid: 'EcrDoctorRolePull', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/x` }, Action: 'ecr:BatchGetImage' };
    expect(keepsForeignStatements(policy(ours, roleStatement), policy(ours), ['EcrDoctorCodeBuildPull'])).toBe(false);
  });
});

describe('withoutCoveredArns (matchesArnPattern)', () => {
  it('drops values another value of the list covers', () => {
    const wide = `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*`;
    expect(withoutCoveredArns([PROJECT_ARN, wide, `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-app-*`])).toEqual([wide]);
    expect(withoutCoveredArns([PROJECT_ARN, `arn:aws:codebuild:eu-west-1:${ACCOUNT}:project/*`])).toHaveLength(2);
    expect(withoutCoveredArns(['arn:aws:codebuild:us-east-1:1:project/a*', 'arn:aws:codebuild:us-east-1:1:project/a**'])).toEqual(['arn:aws:codebuild:us-east-1:1:project/a*']);
  });

  it('a later --scope account replaces the single-project grant with project/* instead of listing both', () => {
    const first = codebuildPullStatement(ACCOUNT, [PROJECT_ARN]);
    const repo = repository({ policy: policy(pushGrant, first) });
    const f = facts({ project: project({ name: 'second', arn: PROJECT_ARN.replace('web-build', 'second') }), repositories: [repo] });
    const c = planFix(f, { scope: 'account' }).changes[0] as RepositoryPolicyChange;
    expect(JSON.parse(c.after).Statement[1].Condition.ArnLike['aws:SourceArn']).toBe(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*`);
    expect(REPO_ARN).toBe(c.repositoryArn);
  });
});
