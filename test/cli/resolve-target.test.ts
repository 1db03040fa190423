import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsOptionsFor } from '../../src/cli/load-facts.js';
import { resolveTarget } from '../../src/cli/resolve-target.js';
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
});
