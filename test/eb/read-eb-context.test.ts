import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEbContext, readEbContextDetailed } from '../../src/eb/read-eb-context.js';
import { UsageError } from '../../src/model/errors.js';
import { copyFixture, makeTree } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Fixture copies live outside this repository, so its own .git does not decide the branch. */
async function project(name: string, branch?: string): Promise<string> {
  const t = await copyFixture(name);
  cleanups.push(t.cleanup);
  if (branch !== undefined) {
    await mkdir(join(t.dir, '.git'), { recursive: true });
    await writeFile(join(t.dir, '.git/HEAD'), `ref: refs/heads/${branch}\n`);
  }
  return t.dir;
}

const noEnv = {};

async function rejection(promise: Promise<unknown>): Promise<UsageError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

describe('readEbContext on the fixtures', () => {
  it('good: found from a subfolder with no flags', async () => {
    const dir = await project('good', 'main');
    await mkdir(join(dir, 'src/deep'), { recursive: true });
    const reading = await readEbContextDetailed({ cwd: join(dir, 'src/deep'), env: noEnv });
    expect(reading?.context).toEqual({
      projectRoot: dir,
      buildspecPath: join(dir, 'buildspec.yml'),
      applicationName: 'my-web-app',
      region: 'us-east-1',
      profile: 'eb-cli',
      branch: 'main',
      hasSettings: true,
      settings: {
        codeBuildServiceRole: 'my-codebuild-role',
        computeType: 'BUILD_GENERAL1_SMALL',
        image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-web-app-build:latest',
        timeout: 60,
      },
    });
    expect(reading).toMatchObject({
      profileSource: 'config',
      regionSource: 'config',
      branchKey: 'main',
      environment: 'my-web-app-prod',
      configFiles: [join(dir, '.elasticbeanstalk/config.yml')],
      buildspecProblems: [],
      notes: [],
    });
  });

  it('no-header: a context with hasSettings false', async () => {
    const ctx = await readEbContext({ cwd: await project('no-header'), env: noEnv });
    expect(ctx?.hasSettings).toBe(false);
    expect(ctx).not.toHaveProperty('settings');
    expect(ctx?.applicationName).toBe('my-web-app');
  });

  it('malformed-yaml: UsageError with the path relative to cwd and line:col', async () => {
    const dir = await project('malformed-yaml');
    const error = await rejection(readEbContext({ cwd: dir, env: noEnv }));
    expect(error.message).toBe('buildspec.yml:8:1: All mapping items must start at the same column');
    expect(error.hint).toContain('YAML');
  });

  it('global-only: settings from config.global.yml', async () => {
    const reading = await readEbContextDetailed({ cwd: await project('global-only'), env: noEnv });
    expect(reading?.context).toMatchObject({ applicationName: 'my-web-app', region: 'eu-west-1', profile: 'shared-profile' });
    expect(reading?.configFiles).toEqual([expect.stringMatching(/config\.global\.yml$/)]);
  });

  it('branch-override: the current branch picks region and profile', async () => {
    const onFeature = await readEbContextDetailed({ cwd: await project('branch-override', 'feature/login'), env: noEnv });
    expect(onFeature?.context).toMatchObject({ region: 'us-west-2', profile: 'staging', branch: 'feature/login' });
    expect(onFeature?.environment).toBe('my-web-app-staging');
    const onMain = await readEbContext({ cwd: await project('branch-override', 'main'), env: noEnv });
    expect(onMain).toMatchObject({ region: 'us-east-1', profile: 'eb-cli', branch: 'main' });
  });

  it("branch-override without git: the EB CLI's 'default' branch entry applies", async () => {
    const reading = await readEbContextDetailed({ cwd: await project('branch-override'), env: noEnv });
    expect(reading?.context).not.toHaveProperty('branch');
    expect(reading?.branchKey).toBe('default');
    expect(reading?.environment).toBe('my-web-app-detached');
  });

  it('curated-image, cross-account-image, missing-role: settings as written', async () => {
    expect((await readEbContext({ cwd: await project('curated-image'), env: noEnv }))?.settings?.image).toBe(
      'aws/codebuild/standard:7.0',
    );
    expect((await readEbContext({ cwd: await project('cross-account-image'), env: noEnv }))?.settings?.image).toMatch(
      /^210987654321\.dkr\.ecr\./,
    );
    const missing = await readEbContext({ cwd: await project('missing-role'), env: noEnv });
    expect(missing?.settings).not.toHaveProperty('codeBuildServiceRole');
  });
});

describe('profile and region precedence', () => {
  it('profile as the EB CLI applies it: flag, then config.yml, then the key pair, then AWS_EB_PROFILE; notes where eb deploy differs', async () => {
    const dir = await project('good');
    const viaFlag = await readEbContextDetailed({ cwd: dir, profileFlag: 'flag-p', env: { AWS_EB_PROFILE: 'env-p' } });
    expect([viaFlag?.context.profile, viaFlag?.profileSource, viaFlag?.notes]).toEqual(['flag-p', 'flag', []]);
    // config.yml's profile beats AWS_EB_PROFILE (DOMAIN.md §2, corrected).
    const configWins = await readEbContextDetailed({ cwd: dir, env: { AWS_EB_PROFILE: 'env-p' } });
    expect([configWins?.context.profile, configWins?.profileSource]).toEqual(['eb-cli', 'config']);
    expect(configWins?.notes).toEqual(['AWS_EB_PROFILE=env-p is set, but eb deploy uses profile eb-cli from .elasticbeanstalk/config.yml, which comes first; ecr-doctor does the same']);
    const blank = await readEbContextDetailed({ cwd: dir, profileFlag: '', env: { AWS_EB_PROFILE: ' ' } });
    expect([blank?.context.profile, blank?.profileSource]).toEqual(['eb-cli', 'config']);

    const bare = await makeTree({ 'buildspec.yml': 'version: 0.2\neb_codebuild_settings:\n  Image: x\n' });
    cleanups.push(bare.cleanup);
    const viaEnv = await readEbContextDetailed({ cwd: bare.dir, env: { AWS_EB_PROFILE: 'env-p' } });
    expect([viaEnv?.context.profile, viaEnv?.profileSource, viaEnv?.notes]).toEqual(['env-p', 'env', []]);
    // The key pair beats AWS_EB_PROFILE when config.yml names no profile.
    const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret' };
    const viaKeys = await readEbContextDetailed({ cwd: bare.dir, env: { ...keys, AWS_EB_PROFILE: 'env-p' } });
    expect(viaKeys?.context).not.toHaveProperty('profile');
    expect(viaKeys?.notes).toEqual(['AWS_EB_PROFILE=env-p is set, but eb deploy uses the AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY pair, which comes first; ecr-doctor does the same']);
    expect(JSON.stringify(viaKeys)).not.toContain('not-a-secret');
  });

  it('AWS_PROFILE is never read by the EB CLI: a note says which identity eb deploy uses and what ecr-doctor does', async () => {
    const dir = await project('good');
    const withConfig = await readEbContextDetailed({ cwd: dir, env: { AWS_PROFILE: 'dev' } });
    expect(withConfig?.context.profile).toBe('eb-cli');
    expect(withConfig?.notes).toEqual(['AWS_PROFILE=dev is set, but eb deploy ignores it and uses profile eb-cli; ecr-doctor uses profile eb-cli too']);
    const bare = await makeTree({ 'buildspec.yml': 'version: 0.2\neb_codebuild_settings:\n  Image: x\n' });
    cleanups.push(bare.cleanup);
    const none = await readEbContextDetailed({ cwd: bare.dir, env: { AWS_PROFILE: 'dev' } });
    expect(none?.notes).toEqual([expect.stringMatching(/^AWS_PROFILE=dev is set, but eb deploy ignores it and uses the \[default\] profile .*pass --profile to choose$/)]);
    expect((await readEbContextDetailed({ cwd: bare.dir, profileFlag: 'x', env: { AWS_PROFILE: 'dev' } }))?.notes).toEqual([]);
  });

  it('region: flag, then config, then AWS_DEFAULT_REGION; AWS_REGION is left to the SDK', async () => {
    const env = { AWS_DEFAULT_REGION: 'ap-south-1', AWS_REGION: 'eu-north-1' };
    const withConfig = await project('good');
    expect((await readEbContextDetailed({ cwd: withConfig, regionFlag: 'sa-east-1', env }))?.regionSource).toBe('flag');
    expect((await readEbContext({ cwd: withConfig, env }))?.region).toBe('us-east-1');
    const bare = await makeTree({ 'buildspec.yml': 'version: 0.2\neb_codebuild_settings:\n  Image: x\n' });
    cleanups.push(bare.cleanup);
    const fromEnv = await readEbContextDetailed({ cwd: bare.dir, env });
    expect([fromEnv?.context.region, fromEnv?.regionSource]).toEqual(['ap-south-1', 'env']);
    const none = await readEbContextDetailed({ cwd: bare.dir, env: { AWS_REGION: 'eu-north-1' } });
    expect(none?.context).not.toHaveProperty('region');
    expect(none?.regionSource).toBeUndefined();
    expect(none?.notes).toEqual([expect.stringContaining('AWS_REGION=eu-north-1 is set, but eb deploy never reads it')]);
    expect((await readEbContextDetailed({ cwd: withConfig, env }))?.notes).toEqual(['AWS_REGION=eu-north-1 is set, but eb deploy never reads it and uses region us-east-1; ecr-doctor uses us-east-1 too']);
  });
});

describe('finding the buildspec', () => {
  it('explicit file: root is the nearest .elasticbeanstalk ancestor; a nested buildspec gets a note', async () => {
    const dir = await project('good');
    await mkdir(join(dir, 'ci'), { recursive: true });
    await writeFile(join(dir, 'ci/buildspec.yml'), 'version: 0.2\n');
    const reading = await readEbContextDetailed({ cwd: '/', buildspec: join(dir, 'ci/buildspec.yml'), env: noEnv });
    expect(reading?.context.projectRoot).toBe(dir);
    expect(reading?.context.buildspecPath).toBe(join(dir, 'ci/buildspec.yml'));
    expect(reading?.context.applicationName).toBe('my-web-app');
    expect(reading?.notes).toEqual([`eb deploy reads ${join(dir, 'buildspec.yml')}, not ${join(dir, 'ci/buildspec.yml')}`]);
  });

  it('explicit path relative to cwd, or a folder holding buildspec.yml', async () => {
    const dir = await project('good');
    expect((await readEbContext({ cwd: dir, buildspec: 'buildspec.yml', env: noEnv }))?.projectRoot).toBe(dir);
    expect((await readEbContext({ cwd: dir, buildspec: '.', env: noEnv }))?.buildspecPath).toBe(join(dir, 'buildspec.yml'));
  });

  it('explicit file with no .elasticbeanstalk anywhere: its own folder is the root', async () => {
    const t = await makeTree({ 'x/my-buildspec.yml': 'version: 0.2\neb_codebuild_settings:\n  Image: i\n' });
    cleanups.push(t.cleanup);
    const ctx = await readEbContext({ cwd: t.dir, buildspec: 'x/my-buildspec.yml', env: noEnv });
    expect(ctx).toMatchObject({ projectRoot: join(t.dir, 'x'), hasSettings: true, settings: { image: 'i' } });
    expect(ctx).not.toHaveProperty('applicationName');
  });

  it('a missing explicit buildspec is a UsageError naming the path as given', async () => {
    const dir = await project('good');
    const missing = await rejection(readEbContext({ cwd: dir, buildspec: 'nope/buildspec.yml', env: noEnv }));
    expect(missing.message).toBe('buildspec not found: nope/buildspec.yml');
    const folderWithout = await rejection(readEbContext({ cwd: dir, buildspec: '.elasticbeanstalk', env: noEnv }));
    expect(folderWithout.message).toBe('buildspec not found: .elasticbeanstalk');
  });

  it('no buildspec.yml and no explicit path: undefined', async () => {
    const t = await makeTree({ '.elasticbeanstalk/config.yml': 'global:\n  application_name: a\n', 'sub/x': '' });
    cleanups.push(t.cleanup);
    expect(await readEbContext({ cwd: join(t.dir, 'sub'), env: noEnv })).toBeUndefined();
    const empty = await makeTree();
    cleanups.push(empty.cleanup);
    expect(await readEbContext({ cwd: empty.dir, env: noEnv })).toBeUndefined();
  });

  it('a broken config.yml is a UsageError with its path', async () => {
    const dir = await project('good');
    await writeFile(join(dir, '.elasticbeanstalk/config.yml'), 'global:\n  application_name: [a\n');
    expect((await rejection(readEbContext({ cwd: dir, env: noEnv }))).message).toMatch(/^\.elasticbeanstalk\/config\.yml:3:1: /);
  });
});
