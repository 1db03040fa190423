import { describe, expect, it } from 'vitest';
import { ebContext } from '../../src/checks/eb-context.js';
import { ebSourceArnPinned } from '../../src/checks/eb-source-arn-pinned.js';
import { runChecks } from '../../src/checks/index.js';
import { roleRightsUnused } from '../../src/checks/role-rights-unused.js';
import { derivePullSubjects } from '../../src/checks/subjects.js';
import type { EbContext } from '../../src/model/facts.js';
import { ACCOUNT, codebuildGrant, facts, IMAGE, policy, PROJECT_ARN, repository, role, rolePullPolicy } from './facts-builder.js';
import { runCheck } from './run-check.js';

const eb = (settings: Partial<NonNullable<EbContext['settings']>> = {}, extra: Partial<EbContext> = {}): EbContext => ({
  projectRoot: '/work/app',
  buildspecPath: '/work/app/buildspec.yml',
  applicationName: 'my-web-app',
  region: 'us-east-1',
  hasSettings: true,
  settings: { codeBuildServiceRole: 'build-role', image: IMAGE, computeType: 'BUILD_GENERAL1_SMALL', timeout: 60, ...settings },
  ...extra,
});
const ebRoleArn = `arn:aws:iam::${ACCOUNT}:role/build-role`;
const ebFacts = (opts: { policyText?: string; withRights?: boolean; ctx?: EbContext } = {}) =>
  facts({
    project: null,
    repositories: [repository(opts.policyText ? { policy: opts.policyText } : {})],
    roles: [role({ arn: ebRoleArn, inline: opts.withRights ? { pull: rolePullPolicy() } : {} })],
    extra: { eb: opts.ctx ?? eb() },
  });

describe('the eb deploy subject', () => {
  it('is the temporary project: CODEBUILD mode, ArnLike pattern, role resolved by name in the caller account', () => {
    const [s] = derivePullSubjects(ebFacts());
    expect(s).toMatchObject({ kind: 'eb-app', mode: 'CODEBUILD', modeSource: 'eb-inferred', projectArn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-my-web-app-*`, serviceRoleArn: ebRoleArn });
  });

  it('fails codebuild-principal-can-pull while a grant pinned to the pipeline project exists, and passes with the eb pattern', () => {
    const pinned = runChecks(ebFacts({ policyText: policy(codebuildGrant(PROJECT_ARN)) }));
    expect(pinned.find((r) => r.check === 'codebuild-principal-can-pull')?.status).toBe('fail');
    const pattern = `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-my-web-app-*`;
    const ok = runChecks(ebFacts({ policyText: policy(codebuildGrant(pattern)) }));
    expect(ok.find((r) => r.check === 'codebuild-principal-can-pull')?.status).toBe('pass');
  });
});

describe('role-rights-unused', () => {
  it("warns that the role's ECR rights do not apply to eb deploy's pull", () => {
    const [r] = runCheck(roleRightsUnused, ebFacts({ withRights: true }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('pipeline project in SERVICE_ROLE mode works with the same role while eb deploy fails');
  });
  it('tells a plain CODEBUILD-mode project the same: the role it gave ECR rights does not make the pull', () => {
    const [r] = runCheck(roleRightsUnused, facts({ roles: [role({ inline: { pull: rolePullPolicy() } })] }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toMatch(/this project pulls in CODEBUILD mode, so the pull is made by codebuild\.amazonaws\.com/);
  });
  it('says nothing when the role has no ECR rights, or when the repository policy allows the pull', () => {
    expect(runCheck(roleRightsUnused, ebFacts())).toEqual([]);
    const pattern = `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-my-web-app-*`;
    expect(runCheck(roleRightsUnused, ebFacts({ withRights: true, policyText: policy(codebuildGrant(pattern)) }))).toEqual([]);
  });
});

describe('eb-source-arn-pinned', () => {
  it('warns about a StringEquals pin on the pipeline project', () => {
    const pin = codebuildGrant(undefined, { Condition: { StringEquals: { 'aws:SourceArn': PROJECT_ARN } } });
    const [r] = runCheck(ebSourceArnPinned, ebFacts({ policyText: policy(pin) }));
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('never matches');
  });
  it('ArnEquals expands wildcards like ArnLike: a covering pattern is no pin', () => {
    const grant = codebuildGrant(undefined, { Condition: { ArnEquals: { 'aws:SourceArn': `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/Elastic-Beanstalk-*` } } });
    expect(runCheck(ebSourceArnPinned, ebFacts({ policyText: policy(grant) }))[0]?.status).toBe('pass');
  });
  it('passes an ArnLike pattern that covers the temporary project', () => {
    const [r] = runCheck(ebSourceArnPinned, ebFacts({ policyText: policy(codebuildGrant(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*`)) }));
    expect(r?.status).toBe('pass');
  });
  it('does not apply to a project subject', () => {
    expect(runCheck(ebSourceArnPinned, facts({ repositories: [repository({ policy: policy(codebuildGrant()) })] }))).toEqual([]);
  });
});

describe('eb-context', () => {
  it('passes complete settings', () => {
    expect(runCheck(ebContext, ebFacts())[0]?.status).toBe('pass');
  });
  it('fails a missing image or role, warns about a missing header', () => {
    const noImage = runCheck(ebContext, ebFacts({ ctx: eb({ image: undefined }) }));
    expect(noImage.map((r) => r.status)).toContain('fail');
    const noHeader = runCheck(ebContext, ebFacts({ ctx: eb({}, { hasSettings: false }) }));
    expect(noHeader[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('will not use CodeBuild') });
  });
  it('does not apply without an eb context', () => {
    expect(runCheck(ebContext, facts())).toEqual([]);
  });
  it('a cross-account image through eb deploy fails pull-mode with the copy advice', () => {
    const results = runChecks(ebFacts({ ctx: eb({ image: '444455556666.dkr.ecr.us-east-1.amazonaws.com/app:v1' }) }));
    const r = results.find((x) => x.check === 'pull-mode');
    expect(r?.status).toBe('fail');
    expect(r?.fix?.description).toMatch(/Copy or replicate the image/);
  });
});

describe('eb-context surfaces what the reading found', () => {
  it('buildspec problems and notes become warnings next to the verdict', () => {
    const ctx = eb({}, { problems: ['buildspec.yml:4:5: Image must be a string, found a number'], notes: ['eb deploy reads /work/app/buildspec.yml, not /work/app/ci/buildspec.yml'] });
    const results = runCheck(ebContext, ebFacts({ ctx }));
    expect(results.map((r) => r.status)).toEqual(['warn', 'warn', 'pass']);
    expect(results[0]?.message).toContain('buildspec.yml:4:5');
  });
});
