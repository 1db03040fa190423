import { describe, expect, it } from 'vitest';
import { buildFailureCause, buildFound } from '../../src/checks/build-failure-cause.js';
import type { Check } from '../../src/checks/check.js';
import { runChecks, SUBJECT_CHECKS } from '../../src/checks/index.js';
import { projectFound } from '../../src/checks/project-found.js';
import { derivePullSubjects } from '../../src/checks/subjects.js';
import type { BuildInfo } from '../../src/model/facts.js';
import { facts, IMAGE, policy, project, PROJECT, repository } from './facts-builder.js';
import { runCheck } from './run-check.js';

const failedBuild = (message: string, overrides: Partial<BuildInfo> = {}): BuildInfo => ({
  id: `${PROJECT}:0e2d6b0a-1111-2222-3333-444455556666`,
  arn: `arn:aws:codebuild:us-east-1:111122223333:build/${PROJECT}:0e2d6b0a-1111-2222-3333-444455556666`,
  projectName: PROJECT,
  buildStatus: 'FAILED',
  environment: { image: IMAGE, imagePullCredentialsType: 'SERVICE_ROLE' },
  phases: [
    { phaseType: 'SUBMITTED', phaseStatus: 'SUCCEEDED', contexts: [] },
    { phaseType: 'PROVISIONING', phaseStatus: 'FAILED', contexts: [{ statusCode: 'BUILD_CONTAINER_UNABLE_TO_PULL_IMAGE', message }] },
  ],
  ...overrides,
});
const withBuild = (b: BuildInfo) => facts({ extra: { builds: [{ requested: b.id, build: { state: 'present', value: b } }] } });

describe('build-failure-cause', () => {
  it('leads with the classified cause, quoting the message', () => {
    const msg = "Unable to pull customer's container image. CannotPullContainerError: Error response from daemon: toomanyrequests: You have reached your pull rate limit.";
    const [r] = runCheck(buildFailureCause, withBuild(failedBuild(msg)));
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('This is not an ECR grant problem.');
    expect(r?.evidence?.cause).toBe('docker-hub-rate-limit');
  });
  it('passes a build that did not fail on its image', () => {
    const ok = failedBuild('', { buildStatus: 'SUCCEEDED', phases: [] });
    expect(runCheck(buildFailureCause, withBuild(ok))[0]?.status).toBe('pass');
  });
  it('does not apply without a build', () => {
    expect(runCheck(buildFailureCause, facts())).toEqual([]);
  });
  it('the build stands in for its project, with the mode it really ran in', () => {
    const subjects = derivePullSubjects(withBuild(failedBuild('x')));
    expect(subjects).toHaveLength(1);
    expect(subjects[0]).toMatchObject({ kind: 'build', mode: 'SERVICE_ROLE', modeSource: 'build' });
  });
  it('a build asked for but not found fails; an unreadable one is an error', () => {
    const missing = facts({ extra: { builds: [{ requested: 'p:0e2d6b0a-1111-2222-3333-444455556666', build: { state: 'absent' } }] } });
    expect(runCheck(buildFound, missing)[0]?.status).toBe('fail');
    const denied = facts({ extra: { builds: [{ requested: 'x', build: { state: 'unreadable', reason: 'AccessDenied on codebuild:BatchGetBuilds', permission: 'codebuild:BatchGetBuilds' } }] } });
    expect(runCheck(buildFound, denied)[0]).toMatchObject({ status: 'error', message: expect.stringContaining('codebuild:BatchGetBuilds') });
  });
});

describe('project-found', () => {
  it('passes, fails and errors by the fact', () => {
    expect(runCheck(projectFound, facts())[0]?.status).toBe('pass');
    const missing = facts({ project: null, extra: { projects: [{ requested: 'nope', project: { state: 'absent' } }] } });
    expect(runCheck(projectFound, missing)[0]).toMatchObject({ status: 'fail', subject: 'nope' });
  });
});

describe('runChecks', () => {
  it('turns a check that throws into an error result, never a pass', () => {
    const boom: Check = { id: 'image-exists', run: () => { throw new Error('boom'); } };
    const original = [...SUBJECT_CHECKS];
    (SUBJECT_CHECKS as Check[]).push(boom);
    try {
      const results = runChecks(facts({ project: project() }));
      expect(results.find((r) => r.message.includes('boom'))).toMatchObject({ status: 'error', check: 'image-exists' });
    } finally {
      (SUBJECT_CHECKS as Check[]).splice(0, SUBJECT_CHECKS.length, ...original);
    }
  });
  it('reports a repository-level finding once even when two projects use the repository', () => {
    const open = policy({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImage' });
    const f = facts({ repositories: [repository({ policy: open })] });
    f.projects.push({ requested: 'second', project: { state: 'present', value: project({ name: 'second', arn: 'arn:aws:codebuild:us-east-1:111122223333:project/second' }) } });
    const found = runChecks(f).filter((r) => r.check === 'repository-policy-open');
    expect(found.map((r) => r.status)).toEqual(['warn']);
    expect(runChecks(f).filter((r) => r.check === 'codebuild-principal-can-pull')).toHaveLength(2);
  });
});

describe('a failed build leads the report', () => {
  it('puts build-failure-cause first and mentions SCP/RCP only as a possibility for grant causes', () => {
    const f = withBuild(failedBuild('CannotPullContainerError: AWS CodeBuild is not authorized to perform ecr:BatchGetImage', { environment: { image: IMAGE } }));
    f.projects.push({ requested: 'other', project: { state: 'present', value: project({ name: 'other', arn: 'arn:aws:codebuild:us-east-1:111122223333:project/other' }) } });
    const results = runChecks(f);
    expect(results[0]?.check).toBe('build-failure-cause');
    expect(results[0]?.message).toMatch(/may deny the pull: an SCP .* or an RCP .*cannot read those from a member account/);
  });
});
