// The first pull of a pull-through cache path (ECR User Guide, "Sync an upstream registry with an
// Amazon ECR private registry", "Private registry permissions" and "Creating a pull through cache
// rule"): BatchImportUpstreamImage + CreateRepository for the puller, the creation template that
// shapes the new repository, and the ecr-pullthroughcache/ credential secret for upstreams that need one.
import { describe, expect, it } from 'vitest';
import { pullThroughFirstPull, upstreamNeedsCredentials } from '../../src/checks/pull-through-first-pull.js';
import type { CreationTemplate, PullThroughRule, RegistryFacts } from '../../src/model/facts.js';
import { ACCOUNT, codebuildGrant, facts, policy, project, registry, repository, role, ROLE_ARN, rolePullPolicy } from './facts-builder.js';
import { runCheck } from './run-check.js';

const NAME = 'hub/library/node';
const IMAGE = `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${NAME}:20`;
const ARN = `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${NAME}`;
const SECRET = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:ecr-pullthroughcache/docker-hub-AbCdEf`;
const hubRule: PullThroughRule = { prefix: 'hub', upstreamRegistryUrl: 'registry-1.docker.io', upstreamRegistry: 'docker-hub', credentialArn: SECRET };
const firstPullGrant = (principal: object) => ({ Sid: 'FirstPull', Effect: 'Allow', Principal: principal, Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'], Resource: `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/hub/*` });
const present = <T>(value: T) => ({ state: 'present' as const, value });
const rootTemplate = (repositoryPolicy?: string): CreationTemplate => ({ prefix: 'ROOT', appliedFor: ['PULL_THROUGH_CACHE'], ...(repositoryPolicy ? { repositoryPolicy } : {}) });

function run(opts: { mode: 'CODEBUILD' | 'SERVICE_ROLE'; rules?: RegistryFacts['pullThroughRules']; templates?: RegistryFacts['creationTemplates']; registryPolicy?: string | RegistryFacts['policy']; roleDoc?: object; exists?: boolean }) {
  return runCheck(pullThroughFirstPull, facts({
    project: project({ image: IMAGE, imagePullCredentialsType: opts.mode }),
    repositories: [repository({ name: NAME, exists: opts.exists ?? false })],
    roles: [role({ inline: { pull: opts.roleDoc ?? rolePullPolicy(ARN) } })],
    registries: [registry({
      pullThroughRules: opts.rules ?? present([hubRule]),
      creationTemplates: opts.templates ?? present([rootTemplate(policy({ ...codebuildGrant(), Resource: undefined }))]),
      ...(opts.registryPolicy !== undefined ? { policy: opts.registryPolicy } : {}),
    })],
  }));
}

const roleWithFirstPull = { Version: '2012-10-17', Statement: [...rolePullPolicy(ARN).Statement, { Effect: 'Allow', Action: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'], Resource: ARN }] };

describe('pull-through-first-pull: grants', () => {
  it('SERVICE_ROLE: passes when the role may import and create, fails naming the actions when it may not', () => {
    const ok = run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull });
    expect(ok.map((r) => r.status)).toEqual(['pass', 'pass', 'pass']);
    const [grants] = run({ mode: 'SERVICE_ROLE' });
    expect(grants?.status).toBe('fail');
    expect(grants?.message).toContain('ecr:BatchImportUpstreamImage and ecr:CreateRepository');
    expect(grants?.message).toContain(ROLE_ARN);
  });

  it('CODEBUILD: only the registry policy can allow the service principal; it passes naming the statement', () => {
    expect(run({ mode: 'CODEBUILD' })[0]).toMatchObject({ status: 'fail', message: expect.stringContaining('registry policy') });
    const [r] = run({ mode: 'CODEBUILD', registryPolicy: policy(firstPullGrant({ Service: 'codebuild.amazonaws.com' })) });
    expect(r?.status).toBe('pass');
    expect(r?.message).toContain('"FirstPull"');
  });

  it('a registry Deny on CreateRepository fails the role too', () => {
    const deny = { Sid: 'NoNewRepos', Effect: 'Deny', Principal: '*', Action: 'ecr:CreateRepository', Resource: '*' };
    const [r] = run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, registryPolicy: policy(deny) });
    expect(r?.status).toBe('fail');
    expect(r?.message).toContain('"NoNewRepos"');
  });

  it('an unread registry policy is an error naming ecr:GetRegistryPolicy, never a pass', () => {
    const [r] = run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, registryPolicy: { state: 'unreadable', reason: 'AccessDeniedException', permission: 'ecr:GetRegistryPolicy' } });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('ecr:GetRegistryPolicy');
  });
});

describe('pull-through-first-pull: not applicable', () => {
  it('says nothing for an existing repository, a path no rule covers, or unread rules (repository-exists speaks then)', () => {
    expect(run({ mode: 'SERVICE_ROLE', exists: true })).toEqual([]);
    expect(run({ mode: 'SERVICE_ROLE', rules: present([{ prefix: 'quay', upstreamRegistryUrl: 'quay.io' }]) })).toEqual([]);
    expect(run({ mode: 'SERVICE_ROLE', rules: { state: 'unreadable', reason: 'AccessDeniedException', permission: 'ecr:DescribePullThroughCacheRules' } })).toEqual([]);
  });
});

describe('pull-through-first-pull: creation template', () => {
  it('names the template that applies, and fails in CODEBUILD mode when its repository policy does not let the service principal pull', () => {
    const grant = policy(firstPullGrant({ Service: 'codebuild.amazonaws.com' }));
    const none = run({ mode: 'CODEBUILD', registryPolicy: grant, templates: present([rootTemplate()]) });
    expect(none[1]).toMatchObject({ status: 'fail', message: expect.stringContaining('creation template ROOT (the default template)') });
    const granted = run({ mode: 'CODEBUILD', registryPolicy: grant });
    expect(granted[1]?.status).toBe('pass');
  });

  it('a more specific PULL_THROUGH_CACHE template beats ROOT; a REPLICATION one does not count', () => {
    const hub: CreationTemplate = { prefix: 'hub', appliedFor: ['PULL_THROUGH_CACHE'] };
    const replication: CreationTemplate = { prefix: 'hub', appliedFor: ['REPLICATION'] };
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, templates: present([rootTemplate(), hub]) })[1]?.message).toContain('creation template hub');
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, templates: present([replication]) })[1]?.message).toContain('no creation template');
  });

  it('unread templates are an error naming ecr:DescribeRepositoryCreationTemplates', () => {
    const [, r] = run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, templates: { state: 'unreadable', reason: 'the endpoint does not implement ecr:DescribeRepositoryCreationTemplates', permission: 'ecr:DescribeRepositoryCreationTemplates' } });
    expect(r?.status).toBe('error');
    expect(r?.message).toContain('ecr:DescribeRepositoryCreationTemplates');
  });
});

describe('pull-through-first-pull: upstream credential', () => {
  it('which upstreams need credentials', () => {
    expect(upstreamNeedsCredentials(hubRule)).toBe(true);
    expect(upstreamNeedsCredentials({ prefix: 'gh', upstreamRegistryUrl: 'ghcr.io' })).toBe(true);
    expect(upstreamNeedsCredentials({ prefix: 'ecr-public', upstreamRegistryUrl: 'public.ecr.aws', upstreamRegistry: 'ecr-public' })).toBe(false);
    expect(upstreamNeedsCredentials({ prefix: 'quay', upstreamRegistryUrl: 'quay.io' })).toBe(false);
  });

  it('passes for an ecr-pullthroughcache/ secret, fails for none or another name, and says nothing for upstreams without credentials', () => {
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull })[2]).toMatchObject({ status: 'pass', message: expect.stringContaining('ecr-pullthroughcache/docker-hub') });
    const { credentialArn: _drop, ...noSecret } = hubRule;
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, rules: present([noSecret]) })[2]).toMatchObject({ status: 'fail', message: expect.stringContaining('names no credential secret') });
    const wrong = { ...hubRule, credentialArn: `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:dockerhub-creds-AbCdEf` };
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, rules: present([wrong]) })[2]).toMatchObject({ status: 'fail', message: expect.stringContaining('dockerhub-creds') });
    expect(run({ mode: 'SERVICE_ROLE', roleDoc: roleWithFirstPull, rules: present([{ prefix: 'hub', upstreamRegistryUrl: 'public.ecr.aws', upstreamRegistry: 'ecr-public' }]) })).toHaveLength(2);
  });
});
