import { describe, expect, it } from 'vitest';
import { buildRoleCanPull } from '../../src/checks/build-role-can-pull.js';
import { buildspecPulls } from '../../src/checks/buildspec-pulls.js';
import { dockerDaemon } from '../../src/checks/docker-daemon.js';
import { dockerHubRateLimit } from '../../src/checks/docker-hub-rate-limit.js';
import { legacyGetLogin, registryLogin } from '../../src/checks/registry-login.js';
import { serviceRoleCanPull } from '../../src/checks/service-role-can-pull.js';
import type { Fact } from '../../src/model/fact.js';
import type { BuildspecFacts, BuildspecStep, ProjectInfo } from '../../src/model/facts.js';
import { ACCOUNT, IMAGE, REGION, facts, project, role, rolePullPolicy } from './facts-builder.js';
import { runCheck, statuses } from './run-check.js';

const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const at = (phase: BuildspecStep['phase'], index: number, command: string) => ({ phase, index, command });
const pull = (image: string, index = 0): BuildspecStep => ({ kind: 'pull', ...at('build', index, `docker pull ${image}`), via: 'docker pull', image });
const docker = (index = 0): BuildspecStep => ({ kind: 'docker', ...at('build', index, 'docker pull x') });
const login = (o: { region?: string; hosts?: string[]; method?: 'get-login-password' | 'get-login' | 'docker-login'; registryIds?: string[] } = {}): BuildspecStep => ({
  kind: 'login',
  ...at('pre_build', 0, 'login'),
  method: o.method ?? 'get-login-password',
  hosts: o.hosts ?? [HOST],
  region: o.region ?? REGION,
  ...(o.registryIds ? { registryIds: o.registryIds } : {}),
});
const spec = (...steps: BuildspecStep[]): Fact<BuildspecFacts> => ({ state: 'present', value: { origin: 'test', steps } });

function world(steps: BuildspecStep[], p: Partial<ProjectInfo> = {}, policy = rolePullPolicy()) {
  const f = facts({ project: project({ image: 'aws/codebuild/standard:7.0', privilegedMode: true, ...p }), roles: [role({ inline: { ecr: policy } })] });
  f.projects[0]!.buildspec = spec(...steps);
  return f;
}

describe('registry-login', () => {
  it('passes with a login to the host before the pull', () => {
    expect(statuses(runCheck(registryLogin, world([login(), docker(), pull(IMAGE)])))).toEqual(['pass']);
  });
  it('fails with no login, a login after the pull, or a login for another region', () => {
    expect(statuses(runCheck(registryLogin, world([docker(), pull(IMAGE)])))).toEqual(['fail']);
    const late = runCheck(registryLogin, world([pull(IMAGE), { ...login(), phase: 'post_build' }]));
    expect(late[0]?.message).toContain('runs later');
    expect(runCheck(registryLogin, world([login({ region: 'eu-west-1' }), pull(IMAGE)]))[0]?.message).toContain('for region eu-west-1');
  });
  it('judges aws ecr get-login by the image: fails on AWS CLI v2, may fail where unsettled, passes on v1', () => {
    const legacy = login({ method: 'get-login' });
    expect(statuses(runCheck(registryLogin, world([legacy, pull(IMAGE)])))).toEqual(['fail']);
    expect(statuses(runCheck(registryLogin, world([legacy, pull(IMAGE)], { image: 'aws/codebuild/amazonlinux2-x86_64-standard:3.0' })))).toEqual(['warn']);
    expect(statuses(runCheck(registryLogin, world([legacy, pull(IMAGE)], { image: 'aws/codebuild/standard:3.0' })))).toEqual(['pass']);
    expect(runCheck(legacyGetLogin, world([legacy]))[0]?.fix?.description).toContain('get-login-password');
  });
  it('does not apply to Docker Hub images or builds without a buildspec', () => {
    expect(runCheck(registryLogin, world([pull('node:20')]))).toEqual([]);
    expect(runCheck(registryLogin, facts())).toEqual([]);
  });
});

describe('build-role-can-pull', () => {
  it('passes when the role may pull, fails naming the missing action, and leaves the build image to service-role-can-pull', () => {
    expect(statuses(runCheck(buildRoleCanPull, world([login(), pull(IMAGE)])))).toEqual(['pass']);
    const noToken = { Version: '2012-10-17', Statement: [rolePullPolicy().Statement[1]!] };
    const r = runCheck(buildRoleCanPull, world([login(), pull(IMAGE)], {}, noToken));
    expect(statuses(r)).toEqual(['fail']);
    expect(r[0]?.message).toContain('ecr:GetAuthorizationToken');
    expect(runCheck(serviceRoleCanPull, world([login(), pull(IMAGE)])).every((x) => !x.subject.includes('in the build'))).toBe(true);
  });
  it('says it could not check a role that was not read', () => {
    const f = world([login(), pull(IMAGE)]);
    f.roles = {};
    expect(statuses(runCheck(buildRoleCanPull, f))).toEqual(['error']);
  });
});

describe('docker-daemon', () => {
  it('passes with privileged mode, fails without, skips when no project says', () => {
    expect(statuses(runCheck(dockerDaemon, world([docker()])))).toEqual(['pass']);
    const off = runCheck(dockerDaemon, world([docker()], { privilegedMode: false }));
    expect(statuses(off)).toEqual(['fail']);
    expect(off[0]?.fix?.command).toContain('update-project --name');
    expect(statuses(runCheck(dockerDaemon, world([docker()], { privilegedMode: undefined })))).toEqual(['fail']);
    expect(runCheck(dockerDaemon, world([]))).toEqual([]);
  });
  it('warns for a custom image that does not start dockerd', () => {
    expect(statuses(runCheck(dockerDaemon, world([docker()], { image: IMAGE })))).toEqual(['warn']);
    expect(statuses(runCheck(dockerDaemon, world([{ kind: 'daemon-start', ...at('install', 0, 'dockerd') }, docker()], { image: IMAGE })))).toEqual(['pass']);
  });
});

describe('docker-hub-rate-limit', () => {
  it('warns on an anonymous Docker Hub pull, build image or in the build; passes after a Docker Hub login', () => {
    expect(statuses(runCheck(dockerHubRateLimit, world([pull('node:20')])))).toEqual(['warn']);
    expect(statuses(runCheck(dockerHubRateLimit, world([login({ method: 'docker-login', hosts: ['docker.io'] }), pull('node:20')])))).toEqual(['pass']);
    expect(statuses(runCheck(dockerHubRateLimit, world([], { image: 'node:20' })))).toEqual(['warn']);
    expect(statuses(runCheck(dockerHubRateLimit, world([], { image: 'node:20', registryCredential: { credential: 'arn:secret', credentialProvider: 'SECRETS_MANAGER' } })))).toEqual(['pass']);
    expect(runCheck(dockerHubRateLimit, world([pull(IMAGE)]))).toEqual([]);
  });
  it('names the ECR Public mirror for official images', () => {
    expect(runCheck(dockerHubRateLimit, world([pull('node:20')]))[0]?.message).toContain('public.ecr.aws/docker/library/node:20');
  });
});

describe('buildspec-pulls', () => {
  it('passes listing what the build pulls; warns for what it could not read or resolve', () => {
    expect(runCheck(buildspecPulls, world([pull(IMAGE)]))[0]?.message).toContain(IMAGE);
    const unresolved: BuildspecStep = { kind: 'pull', ...at('build', 0, 'docker pull $X'), via: 'docker pull', expression: '$X', unresolved: ['$X (X is not set)'] };
    expect(statuses(runCheck(buildspecPulls, world([unresolved])))).toEqual(['warn', 'pass']);
    const f = facts();
    f.projects[0]!.buildspec = { state: 'unreadable', reason: 'its buildspec is the file buildspec.yml in the source' };
    expect(runCheck(buildspecPulls, f)[0]).toMatchObject({ status: 'warn', message: expect.stringContaining('Could not check the pulls inside the build') });
    expect(runCheck(buildspecPulls, facts())).toEqual([]);
  });
});
