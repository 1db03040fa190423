// The report at scale (issue 15 item 4) through the spawned CLI, on a snapshot of eight projects:
// six that one repository statement fixes, one whose tag is missing, one that passes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FixGroup } from '../../src/model/fix-group.js';
import { parseReport } from './json-report.js';
import { makeTempDir, REPO_ROOT, runCli } from './spawn.js';

const MANY = join(REPO_ROOT, 'fixtures', 'snapshots', 'many-projects.json');
const REPO = 'arn:aws:ecr:us-east-1:111122223333:repository/shared/build-image';

describe.concurrent('doctor on a snapshot of eight projects', () => {
  it('leads with what fixes what: one line for the six projects one statement fixes, not six blocks', async () => {
    const run = await runCli(['doctor', '--snapshot', MANY]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines[1]).toBe('8 projects: 7 failing, 1 pass.');
    expect(lines).toContain('X repository shared/build-image (account 111122223333, us-east-1): 6 projects cannot pull in CODEBUILD mode: codebuild.amazonaws.com may not pull from shared/build-image: no statement of the repository policy allows ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for it.');
    expect(lines).toContain('  Fix: one repository policy statement fixes all 6: ecr-doctor fix --all-projects --dry-run --region us-east-1');
    expect(lines).toContain('X repository shared/build-image (account 111122223333, us-east-1): 1 project cannot pull: Image tag 2025.12 does not exist in shared/build-image; the pull fails with "manifest ... not found".');
    expect(lines).toContain('1 project passes; run with --verbose for each project.');
    expect(run.stdout).not.toMatch(/api-\d cannot pull/);
    expect(run.stdout).toMatch(/\nSummary: \d+ passed, 7 failed/);
  });

  it('--verbose adds each project verdict and the details; --quiet keeps to the groups', async () => {
    const [verbose, quiet] = await Promise.all([runCli(['doctor', '--snapshot', MANY, '--verbose']), runCli(['doctor', '--snapshot', MANY, '--quiet'])]);
    expect(verbose.code).toBe(1);
    expect(verbose.stdout).toContain('X api-3 cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/shared/build-image:2026.01 (CODEBUILD mode)');
    expect(verbose.stdout).toContain('OK web-build can pull');
    expect(quiet.code).toBe(1);
    expect(quiet.stdout.split('\n').filter((l) => /^[X?!] /.test(l))).toHaveLength(2);
    expect(quiet.stdout).not.toMatch(/ecr-doctor \d|Summary:|PASS/);
  });

  it('--format json carries the groups; the group command, run on the same facts, fixes all six', async () => {
    const run = await runCli(['doctor', '--snapshot', MANY, '--format', 'json']);
    const report = parseReport(run.stdout);
    const groups = report.groups as FixGroup[];
    expect(groups.map((g) => [g.check, g.count])).toEqual([['codebuild-principal-can-pull', 6], ['image-exists', 1]]);
    const [pull] = groups;
    expect(pull!.fix).toMatchObject({ target: 'repository-policy', resource: REPO, command: 'ecr-doctor fix --all-projects --dry-run --region us-east-1' });
    expect(pull!.subjects).toEqual([1, 2, 3, 4, 5, 6].map((i) => `arn:aws:codebuild:us-east-1:111122223333:project/api-${i}`));

    // fix on the snapshot plans over every project it holds, as --all-projects does live: one policy.
    const planned = await runCli(['fix', '--snapshot', MANY, '--dry-run', '--format', 'json', '--region', 'us-east-1']);
    expect(planned.code).toBe(0);
    const tmp = await makeTempDir();
    try {
      const dir = tmp.path;
      const facts = JSON.parse(readFileSync(MANY, 'utf8'));
      facts.repositories[REPO].policy.value.text = planned.stdout;
      const fixed = join(dir, 'fixed.json');
      writeFileSync(fixed, JSON.stringify(facts));
      const after = parseReport((await runCli(['doctor', '--snapshot', fixed, '--format', 'json'])).stdout);
      expect(after.results.filter((r) => r.check === 'codebuild-principal-can-pull').map((r) => r.status)).toEqual(Array(8).fill('pass'));
      expect((after.groups as FixGroup[]).map((g) => g.check)).toEqual(['image-exists']);
    } finally {
      await tmp.remove();
    }
  });
});
