import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import { codebuildGrant, facts, policy, project, repository, role, rolePullPolicy } from './facts-builder.js';

const verdict = (f: ReturnType<typeof facts>, check: string) => runChecks(f).find((r) => r.check === check);
const sr = project({ imagePullCredentialsType: 'SERVICE_ROLE' });

describe('the request context of a pull: known keys decide, unknown keys never guess', () => {
  it('a deny-other-regions guard does not block a pull in the image region (aws:RequestedRegion is known)', () => {
    const guard = { Version: '2012-10-17', Statement: [{ Sid: 'OnlyUsEast1', Effect: 'Deny', NotAction: 'iam:*', Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } } }] };
    const r = verdict(facts({ project: sr, roles: [role({ inline: { pull: rolePullPolicy(), guard } })] }), 'service-role-can-pull');
    expect(r?.status).toBe('pass');
  });

  it('a grant conditioned on aws:SourceOrgID cannot be decided (the org is not known): a warning, not a failure', () => {
    const grant = codebuildGrant(undefined, { Condition: { StringEquals: { 'aws:SourceOrgID': 'o-abc123' } } });
    const r = verdict(facts({ repositories: [repository({ policy: policy(grant) })] }), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('warn');
    expect(r?.message).toContain('aws:SourceOrgID');
  });

  it('a boundary conditioned on a principal tag cannot be decided', () => {
    const boundary = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalTag/team': 'web' } } }] };
    const r = verdict(facts({ project: sr, roles: [role({ inline: { pull: rolePullPolicy() }, boundary })] }), 'service-role-can-pull');
    expect(r?.status).toBe('warn');
  });

  it('a time-boxed grant cannot be decided', () => {
    const grant = codebuildGrant(undefined, { Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } } });
    expect(verdict(facts({ repositories: [repository({ policy: policy(grant) })] }), 'codebuild-principal-can-pull')?.status).toBe('warn');
  });

  it('keys known to be absent for the service principal decide: an IP lock-down Deny denies CodeBuild', () => {
    const deny = { Sid: 'OfficeOnly', Effect: 'Deny', Principal: '*', Action: 'ecr:*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } };
    const r = verdict(facts({ repositories: [repository({ policy: policy(codebuildGrant(), deny) })] }), 'codebuild-principal-can-pull');
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('"OfficeOnly"');
  });

  it('aws:PrincipalOrgID on a service-principal pull never matches', () => {
    const grant = { Sid: 'OrgOnly', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } };
    expect(verdict(facts({ repositories: [repository({ policy: policy(grant) })] }), 'codebuild-principal-can-pull')?.status).toBe('fail');
  });
});
