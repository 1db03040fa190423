import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Facts, ProjectInfo } from '../../src/model/facts.js';
import type { Target } from '../../src/model/target.js';
import { attachBuildspecs } from '../../src/sources/buildspec-source.js';
import { toVariables } from '../../src/sources/live/codebuild.js';

const ACCOUNT = '111122223333';
const arn = (name: string) => `arn:aws:codebuild:us-east-1:${ACCOUNT}:project/${name}`;
const PULL = 'version: 0.2\nphases:\n  build:\n    commands:\n      - docker pull $IMAGE\n';
let dir: string;

function facts(projects: ProjectInfo[], builds: Facts['builds'] = []): Facts {
  return { schemaVersion: 1, region: 'us-east-1', caller: { state: 'absent' }, projects: projects.map((p) => ({ requested: p.name, project: { state: 'present', value: p } })), builds, images: [], repositories: {}, roles: {} };
}
const target = (extra: Partial<Target> = {}): Target => ({ projects: [], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: 'test', ...extra });
const project = (name: string, extra: Partial<ProjectInfo> = {}): ProjectInfo => ({ name, arn: arn(name), image: 'aws/codebuild/standard:7.0', ...extra });
const pulled = (f: Facts, i = 0) => {
  const b = f.projects[i]?.buildspec;
  return b?.state === 'present' ? b.value.steps.flatMap((s) => (s.kind === 'pull' ? [s.image ?? s.expression] : [])) : b;
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-bs-'));
  await mkdir(join(dir, 'ci'));
  await writeFile(join(dir, 'ci', 'build.yml'), PULL.replace('$IMAGE', 'from-checkout:1'));
  await writeFile(join(dir, 'buildspec.yml'), PULL.replace('$IMAGE', 'default-name:1'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('attachBuildspecs', () => {
  it('reads an inline buildspec with the project variables (PLAINTEXT only)', async () => {
    const f = facts([project('a', { source: { type: 'S3', buildspec: PULL }, environmentVariables: [{ name: 'IMAGE', type: 'PLAINTEXT', value: 'node:20' }] })]);
    await attachBuildspecs(f, { cwd: dir, target: target() });
    expect(pulled(f)).toEqual(['node:20']);
  });

  it('reads a buildspec file from the local checkout when one project is named, under its own name', async () => {
    const f = facts([project('a', { source: { type: 'GITHUB', location: 'https://github.com/o/r', buildspec: 'ci/build.yml' } })]);
    await attachBuildspecs(f, { cwd: dir, target: target() });
    expect(pulled(f)).toEqual(['from-checkout:1']);
  });

  it('never takes one folder for several projects: the file is unreadable, with what to do', async () => {
    const f = facts([project('a', { source: { type: 'GITHUB', location: 'https://github.com/o/r' } }), project('b', { source: { type: 'GITHUB' } })]);
    await attachBuildspecs(f, { cwd: dir, target: target() });
    expect(f.projects[0]?.buildspec).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('run ecr-doctor from a checkout of that source, or pass --buildspec FILE') });
  });

  it('--buildspec FILE serves the named projects; CODEBUILD_SRC_DIR is the checkout inside CodeBuild', async () => {
    const explicit = facts([project('a'), project('b')]);
    await attachBuildspecs(explicit, { cwd: '/', target: target({ buildspec: { path: join(dir, 'ci', 'build.yml'), root: dir, explicit: true } }) });
    expect([pulled(explicit, 0), pulled(explicit, 1)]).toEqual([['from-checkout:1'], ['from-checkout:1']]);
    const inside = facts([project('a')]);
    await attachBuildspecs(inside, { cwd: '/', target: target({ buildspec: { path: join(dir, 'buildspec.yml'), root: dir, explicit: false } }) });
    expect(pulled(inside)).toEqual(['default-name:1']);
  });

  it("a build's own buildspec (an override) wins, with the build's variables", async () => {
    const f = facts([], [{ requested: 'a:1', build: { state: 'present', value: { id: `a:${'0'.repeat(36)}`, arn: `arn:aws:codebuild:us-east-1:${ACCOUNT}:build/a:x`, projectName: 'a', environment: { environmentVariables: [{ name: 'IMAGE', type: 'PLAINTEXT', value: 'override:2' }] }, source: { type: 'S3', buildspec: PULL }, phases: [] } } }]);
    await attachBuildspecs(f, { cwd: dir, target: target() });
    const b = f.builds[0]?.buildspec;
    expect(b?.state === 'present' && b.value.steps.find((s) => s.kind === 'pull')).toMatchObject({ image: 'override:2' });
  });

  it('a project inline buildspec that is not YAML is said, not thrown', async () => {
    const f = facts([project('a', { source: { type: 'S3', buildspec: 'version: 0.2\nphases: [\n' } })]);
    await attachBuildspecs(f, { cwd: dir, target: target() });
    expect(f.projects[0]?.buildspec).toMatchObject({ state: 'unreadable', reason: expect.stringContaining('the inline buildspec of a cannot be read') });
  });
});

describe('toVariables', () => {
  it('keeps PLAINTEXT values and never the value of a Parameter Store or Secrets Manager variable', () => {
    expect(toVariables([{ name: 'A', value: '1', type: 'PLAINTEXT' }, { name: 'B', value: '/ssm/name', type: 'PARAMETER_STORE' }, { name: 'C', value: 'arn:secret', type: 'SECRETS_MANAGER' }, { name: 'D', value: 'x' }])).toEqual([
      { name: 'A', type: 'PLAINTEXT', value: '1' },
      { name: 'B', type: 'PARAMETER_STORE' },
      { name: 'C', type: 'SECRETS_MANAGER' },
      { name: 'D', type: 'PLAINTEXT', value: 'x' },
    ]);
  });
});
