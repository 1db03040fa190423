// aws:ResourceTag/… and ecr:ResourceTag/… conditions decided with the repository's real tags
// (ListTagsForResource); without the tags they stay "cannot decide".
import { describe, expect, it } from 'vitest';
import { codebuildPrincipalCanPull } from '../../src/checks/codebuild-principal-can-pull.js';
import { serviceRoleCanPull } from '../../src/checks/service-role-can-pull.js';
import { resourceTagContext } from '../../src/checks/pull-access.js';
import { parsePolicy } from '../../src/policy/index.js';
import { codebuildGrant, facts, policy, project, repository, role, REPO_ARN } from './facts-builder.js';
import { runCheck } from './run-check.js';

const teamGrant = codebuildGrant(undefined, { Sid: 'TeamPull' });
(teamGrant.Condition as Record<string, Record<string, string>>)['StringEquals'] = { ...teamGrant.Condition.StringEquals, 'aws:ResourceTag/team': 'platform' };
const tagged = (tags: Record<string, string> | undefined) => {
  const repo = repository({ policy: policy(teamGrant) });
  return tags ? { ...repo, tags: { state: 'present' as const, value: tags } } : repo;
};
const runCodebuild = (tags: Record<string, string> | undefined) => runCheck(codebuildPrincipalCanPull, facts({ repositories: [tagged(tags)] }))[0];

describe('resource tags in the pull verdicts', () => {
  it('a grant conditioned on aws:ResourceTag/team passes when the repository carries the tag', () => {
    expect(runCodebuild({ team: 'platform' })?.status).toBe('pass');
  });

  it('fails when the tag has another value or is missing, with no "cannot decide"', () => {
    for (const tags of [{ team: 'data' }, { owner: 'x' }] as Record<string, string>[]) {
      const r = runCodebuild(tags);
      expect(r?.status).toBe('fail');
      expect(r?.message).not.toMatch(/cannot decide/i);
    }
  });

  it('stays "cannot decide" when the tags were not read', () => {
    expect(runCodebuild(undefined)?.status).toBe('warn');
  });

  it('decides ecr:ResourceTag in a role identity policy too', () => {
    const identity = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Effect: 'Allow', Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], Resource: REPO_ARN, Condition: { StringEquals: { 'ecr:ResourceTag/env': 'prod' } } },
      ],
    };
    const run = (tags: Record<string, string>) =>
      runCheck(serviceRoleCanPull, facts({ project: project({ imagePullCredentialsType: 'SERVICE_ROLE' }), roles: [role({ inline: { pull: identity } })], repositories: [{ ...repository(), tags: { state: 'present', value: tags } }] }))[0];
    expect(run({ env: 'prod' })?.status).toBe('pass');
    expect(run({ env: 'dev' })?.status).toBe('fail');
  });

  it('resourceTagContext: every tag under both prefixes, and null for a key a policy asks about that the repository lacks', () => {
    const parsed = parsePolicy(policy({ Effect: 'Allow', Principal: '*', Action: 'ecr:*', Condition: { Null: { 'aws:ResourceTag/Cost': 'false' } } }));
    if (!parsed.ok) throw new Error('bad policy');
    expect(resourceTagContext({ team: 'a' }, [parsed.policy])).toEqual({ 'aws:ResourceTag/team': 'a', 'ecr:ResourceTag/team': 'a', 'aws:ResourceTag/Cost': null });
    expect(resourceTagContext(undefined, [parsed.policy])).toEqual({});
  });
});
