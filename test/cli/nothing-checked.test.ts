import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkedNothing } from '../../src/cli/doctor.js';
import type { Result } from '../../src/model/result.js';
import { describeStderr, makeTempDir, runCli, type TempDir } from './spawn.js';

const result = (check: Result['check'], status: Result['status']): Result => ({ check, status, severity: 'info', subject: 's', message: 'm' });

describe('a run that checked nothing', () => {
  it('is no results at all, or look-up results that neither fail nor error', () => {
    expect(checkedNothing([])).toBe(true);
    expect(checkedNothing([result('eb-context', 'warn')])).toBe(true);
    expect(checkedNothing([result('project-found', 'fail')])).toBe(false);
    expect(checkedNothing([result('eb-context', 'warn'), result('image-reference', 'pass')])).toBe(false);
  });

  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => dir.remove());

  it('a buildspec without eb_codebuild_settings: says so and exits 2, no "passed" report', async () => {
    const file = join(dir.path, 'facts.json');
    const buildspec = join(dir.path, 'buildspec.yml');
    await writeFile(
      file,
      JSON.stringify({
        schemaVersion: 1,
        region: 'us-east-1',
        caller: { state: 'present', value: { account: '111122223333', arn: 'arn:aws:iam::111122223333:user/me', partition: 'aws' } },
        projects: [],
        builds: [],
        images: [],
        repositories: {},
        roles: {},
        eb: { projectRoot: dir.path, buildspecPath: buildspec, hasSettings: false },
      }),
    );
    const run = await runCli(['doctor', '--snapshot', file]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const { errorLines, hasStack } = describeStderr(run.stderr);
    expect(errorLines).toEqual([`error: nothing to check: eb deploy of (unnamed application) (${buildspec}) names no image pull to examine`]);
    expect(run.stderr).toContain(`hint: ${buildspec} has no eb_codebuild_settings, so eb deploy does not build with CodeBuild; name a project (--project NAME)`);
    expect(hasStack).toBe(false);
  });
});
