import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import { planFix } from '../../src/fix/plan.js';
import { ACCOUNT, codebuildGrant, facts, IMAGE, policy, repository } from './facts-builder.js';

const imageFacts = (policyText?: string) => facts({ project: null, repositories: [repository(policyText ? { policy: policyText } : {})], extra: { images: [IMAGE] } });

describe('doctor --image (no project)', () => {
  it('reports both modes: CODEBUILD needs a repository grant, SERVICE_ROLE says what a role needs', () => {
    const results = runChecks(imageFacts());
    expect(results.find((r) => r.check === 'codebuild-principal-can-pull')).toMatchObject({ status: 'fail', subject: `${IMAGE} (CODEBUILD)` });
    expect(results.find((r) => r.check === 'service-role-can-pull')).toMatchObject({ status: 'skip', subject: `${IMAGE} (SERVICE_ROLE)` });
  });
  it('a grant for every project in the account passes; one pinned to a project does not count for any project', () => {
    const accountWide = runChecks(imageFacts(policy(codebuildGrant(`arn:aws:codebuild:us-east-1:${ACCOUNT}:project/*`))));
    expect(accountWide.find((r) => r.check === 'codebuild-principal-can-pull')?.status).toBe('pass');
    const pinned = runChecks(imageFacts(policy(codebuildGrant())));
    const r = pinned.find((x) => x.check === 'codebuild-principal-can-pull');
    expect(r?.status).toBe('fail');
    expect(JSON.stringify(r?.evidence)).toContain('project/web-build');
  });
  it('fix plans an account-wide grant for an image', () => {
    const change = planFix(imageFacts()).changes[0];
    expect(change?.after).toContain(`project/*`);
  });
});
