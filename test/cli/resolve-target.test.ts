import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsOptionsFor } from '../../src/cli/load-facts.js';
import { regionNamedByTargets, resolveTarget } from '../../src/cli/resolve-target.js';
import { UsageError } from '../../src/model/errors.js';

const none = { project: [], image: [], build: [] };
const common = { color: false };

async function ebFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-eb-'));
  await mkdir(join(dir, '.elasticbeanstalk'));
  await writeFile(join(dir, '.elasticbeanstalk', 'config.yml'), 'global:\n  application_name: my-web-app\n  default_region: eu-west-1\n  profile: eb-cli\n');
  await writeFile(join(dir, 'buildspec.yml'), 'version: 0.2\neb_codebuild_settings:\n  CodeBuildServiceRole: build-role\n  ComputeType: BUILD_GENERAL1_SMALL\n  Image: aws/codebuild/standard:7.0\n  Timeout: 60\n');
  return dir;
}

describe('resolveTarget', () => {
  it('in an eb folder, takes the region and profile of .elasticbeanstalk/config.yml (flags still win)', async () => {
    const dir = await ebFolder();
    const target = await resolveTarget(none, common, dir, {});
    expect(target.eb?.applicationName).toBe('my-web-app');
    expect(awsOptionsFor(common, target)).toEqual({ region: 'eu-west-1', profile: 'eb-cli' });
    expect(awsOptionsFor({ ...common, region: 'us-west-2', profile: 'mine' }, target)).toEqual({ region: 'us-west-2', profile: 'mine' });
  });

  it("inside CodeBuild, uses the build's region and the container's credentials, not the committed EB profile", async () => {
    const dir = await ebFolder();
    const env = { CODEBUILD_BUILD_ARN: 'arn:aws:codebuild:us-east-1:123456789012:build/pipeline-build:0e2d6b0a-1111-2222-3333-444455556666' };
    const target = await resolveTarget(none, common, dir, env);
    expect(target).toMatchObject({ projects: ['pipeline-build'], foundBy: 'CODEBUILD_BUILD_ARN', region: 'us-east-1' });
    expect(target.eb?.hasSettings).toBe(true);
    expect(awsOptionsFor(common, target)).toEqual({ region: 'us-east-1' });
  });

  it('outside any eb folder and CodeBuild, says what it looked for', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-empty-'));
    await expect(resolveTarget(none, common, dir, {})).rejects.toThrow(UsageError);
    await expect(resolveTarget(none, common, dir, {})).rejects.toThrow(/CODEBUILD_BUILD_ARN is not set/);
  });

  it('--last-failed needs a project or a buildspec', async () => {
    await expect(resolveTarget({ ...none, image: ['node:20'], lastFailed: true }, common, tmpdir(), {})).rejects.toThrow(/--last-failed needs/);
  });

  it('with no target, the hint suggests the command being run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ecr-doctor-empty-'));
    const hintFor = (command?: 'doctor' | 'fix' | 'snapshot') => resolveTarget({ ...none, ...(command ? { command } : {}) }, common, dir, {}).catch((e: UsageError) => e.hint);
    expect(await hintFor('fix')).toMatch(/^try: ecr-doctor fix --project NAME --dry-run/);
    expect(await hintFor('fix')).not.toMatch(/ecr-doctor doctor/);
    expect(await hintFor('snapshot')).toMatch(/^try: ecr-doctor snapshot --project NAME/);
    expect(await hintFor('doctor')).toMatch(/^try: ecr-doctor doctor --project NAME/);
    expect(await hintFor()).toMatch(/^try: ecr-doctor doctor --project NAME/);
  });
});

describe('regions named by the target', () => {
  const PROJECT_EU = 'arn:aws:codebuild:eu-west-1:123456789012:project/web-build';
  const PROJECT_US = 'arn:aws:codebuild:us-west-2:123456789012:project/api-build';
  const BUILD_EU = 'arn:aws:codebuild:eu-west-1:123456789012:build/web-build:0e2d6b0a-1111-2222-3333-444455556666';

  it('a project or build ARN sets the region when --region is not given', async () => {
    for (const opts of [{ ...none, project: [PROJECT_EU] }, { ...none, build: [BUILD_EU] }, { ...none, project: [PROJECT_EU, 'plain-name'], build: [BUILD_EU] }]) {
      const target = await resolveTarget(opts, common, tmpdir(), {});
      expect(target.region).toBe('eu-west-1');
      expect(awsOptionsFor(common, target)).toEqual({ region: 'eu-west-1' });
    }
    expect((await resolveTarget({ ...none, project: ['plain-name'] }, common, tmpdir(), {})).region).toBeUndefined();
  });

  it('the named region wins over the eb config region (the ARN is what will be read)', async () => {
    const dir = await ebFolder();
    const target = await resolveTarget({ ...none, project: [PROJECT_US], buildspec: join(dir, 'buildspec.yml') }, common, dir, {});
    expect(awsOptionsFor(common, target).region).toBe('us-west-2');
  });

  it('targets in different regions are a usage error', async () => {
    const run = resolveTarget({ ...none, project: [PROJECT_EU, PROJECT_US] }, common, tmpdir(), {});
    await expect(run).rejects.toThrow(UsageError);
    await expect(resolveTarget({ ...none, project: [PROJECT_US], build: [BUILD_EU] }, common, tmpdir(), {})).rejects.toThrow(
      /^these targets are in different regions: run once per region \(.*us-west-2.*eu-west-1\)$/,
    );
  });

  it('--region that differs from the ARN is a usage error naming both; an equal one is fine', async () => {
    await expect(resolveTarget({ ...none, project: [PROJECT_EU] }, { ...common, region: 'us-east-1' }, tmpdir(), {})).rejects.toThrow(
      `--region us-east-1 does not match the region of ${PROJECT_EU} (eu-west-1)`,
    );
    const target = await resolveTarget({ ...none, project: [PROJECT_EU] }, { ...common, region: 'eu-west-1' }, tmpdir(), {});
    expect(awsOptionsFor({ ...common, region: 'eu-west-1' }, target).region).toBe('eu-west-1');
    expect(() => regionNamedByTargets([PROJECT_EU, PROJECT_US], 'eu-west-1')).toThrow(/--region eu-west-1 does not match .*api-build \(us-west-2\)/);
  });
});
