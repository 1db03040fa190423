import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import type { Facts } from '../../src/model/facts.js';
import type { Target } from '../../src/model/target.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderJson } from '../../src/report/json.js';
import { deriveVerdicts } from '../../src/report/verdict.js';
import type { Result } from '../../src/model/result.js';
import { firstSentence, renderText } from '../../src/report/text.js';
import { ANSI, makeTempDir, runCli, type TempDir } from '../cli/spawn.js';
import { codebuildGrant, facts, IMAGE, policy, pushGrant, repository } from '../checks/facts-builder.js';

const projectTarget: Target = { projects: ['web-build'], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '--project' };
const imageTarget: Target = { projects: [], allProjects: false, builds: [], lastFailed: false, images: [IMAGE], foundBy: '--image' };
const report = (f: Facts, target: Target = projectTarget) => buildReport(runChecks(f), f, target, 'snapshot');
// --image on a repository with no policy, and a tag that is not there: two problems.
const missingTagNoPolicy = facts({ project: null, repositories: [repository({ images: { v1: { state: 'absent' } }, knownTags: ['v2'] })], extra: { images: [IMAGE] } });

describe('the verdict leads the text report', () => {
  it('says the cause and the fix command in the first three lines (plain: ASCII markers, not the detail labels)', () => {
    const lines = renderText(report(facts({ repositories: [repository({ policy: policy(pushGrant) })] }))).split('\n');
    expect(lines[1]).toBe(`X web-build cannot pull ${IMAGE} (CODEBUILD mode): codebuild.amazonaws.com may not pull from app: no statement of the repository policy allows ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for it.`);
    expect(lines[2]).toBe('  Fix: ecr-doctor fix --project web-build --dry-run');
    expect(lines.slice(0, 3).join('\n')).toMatch(/^[\x20-\x7e\n·]*$/);
  });
  it('uses ✗ and ✓ when asked for unicode (a colour terminal)', () => {
    const failing = renderText(report(facts({ repositories: [repository()] })), { unicode: true });
    expect(failing.split('\n')[1]).toMatch(/^✗ web-build cannot pull /);
    const passing = renderText(report(facts({ repositories: [repository({ policy: policy(codebuildGrant()) })] })), { unicode: true });
    expect(passing.split('\n')[1]).toBe(`✓ web-build can pull ${IMAGE} (CODEBUILD mode).`);
    expect(renderText(report(facts({ repositories: [repository({ policy: policy(codebuildGrant()) })] }))).split('\n')[1]).toBe(`OK web-build can pull ${IMAGE} (CODEBUILD mode).`);
  });
  it('shows passes as one count per subject; --verbose lists each', () => {
    const r = report(facts({ repositories: [repository({ policy: policy(codebuildGrant()) })] }));
    const compact = renderText(r);
    expect(compact).toContain('  PASS  6 checks: project-found, image-reference, pull-mode, repository-exists, image-exists, codebuild-principal-can-pull');
    expect(compact).not.toMatch(/PASS {2}project-found {2}Project web-build exists/);
    expect(renderText(r, { verbose: true })).toMatch(/PASS {2}project-found {2}Project web-build exists\./);
  });
  it('is in the JSON report as data (additive to schema 1)', () => {
    const doc = JSON.parse(renderJson(report(facts({ repositories: [repository()] }))));
    expect(doc.schemaVersion).toBe(1);
    expect(doc.verdicts[0]).toMatchObject({
      subject: 'arn:aws:codebuild:us-east-1:111122223333:project/web-build',
      status: 'fail',
      pull: { kind: 'project', name: 'web-build', image: IMAGE, mode: 'CODEBUILD' },
      check: 'codebuild-principal-can-pull',
      fixCommand: 'ecr-doctor fix --project web-build --dry-run',
    });
  });
  it('a warning about the build around the pull (an unread buildspec) does not decide the pull; a failure there does', () => {
    const pull = { subject: 'p', kind: 'project' as const, name: 'web-build', image: IMAGE, mode: 'CODEBUILD' as const };
    const res = (check: string, status: Result['status']): Result => ({ check, status, severity: 'info', subject: 'p', message: `${check} ${status}.` });
    const [warned] = deriveVerdicts([res('image-exists', 'pass'), res('buildspec-pulls', 'warn')], [pull]);
    expect(warned).toMatchObject({ status: 'pass', moreProblems: 1 });
    const r = { ...report(facts({ repositories: [repository()] })), verdicts: [warned!] };
    expect(renderText(r).split('\n').slice(1, 3)).toEqual([`OK web-build can pull ${IMAGE} (CODEBUILD mode).`, '  (1 more problem below)']);
    const [failed] = deriveVerdicts([res('image-exists', 'pass'), res('docker-daemon', 'fail')], [pull]);
    expect(failed).toMatchObject({ status: 'fail', check: 'docker-daemon', aboutPull: false });
  });
  it('takes the first sentence of a message as its cause', () => {
    expect(firstSentence('Image tag v1.2 does not exist in app; the pull fails with "manifest ... not found". Nearest existing tags: v1.3.')).toBe('Image tag v1.2 does not exist in app; the pull fails with "manifest ... not found".');
    expect(firstSentence('codebuild.amazonaws.com may not pull. In CODEBUILD mode ...')).toBe('codebuild.amazonaws.com may not pull.');
  });
});

describe('--image reports mode-independent results once', () => {
  const r = report(missingTagNoPolicy, imageTarget);
  it('counts the missing tag once, about the image, and says no project may pull without a policy', () => {
    expect(r.results.filter((x) => x.check === 'image-exists')).toEqual([expect.objectContaining({ status: 'fail', subject: IMAGE })]);
    expect(r.summary.fail).toBe(2);
    expect(r.results.find((x) => x.check === 'codebuild-principal-can-pull')?.message).toBe(
      'No CodeBuild project of account 111122223333 may pull from app in CODEBUILD mode: the repository has no repository policy.',
    );
  });
  it('gives each mode its verdict, the missing tag first (it decides both)', () => {
    const lines = renderText(r).split('\n');
    expect(lines[1]).toBe(`X CodeBuild cannot pull ${IMAGE} (CODEBUILD mode): Image tag v1 does not exist in app; the pull fails with "manifest ... not found".`);
    expect(lines[2]).toBe('  Fix: Push the image with this tag, or point the build at an existing one.');
    expect(lines[3]).toBe('  (1 more problem below)');
    expect(lines[4]).toMatch(/^X CodeBuild cannot pull .* \(SERVICE_ROLE mode\): Image tag v1 does not exist/);
    expect(lines.filter((l) => l.startsWith(IMAGE))).toEqual([IMAGE, `${IMAGE} (CODEBUILD)`, `${IMAGE} (SERVICE_ROLE)`]);
    expect(lines.filter((l) => /^\s+FAIL\s+image-exists/.test(l))).toHaveLength(1);
  });
});

describe('spawned CLI', () => {
  let dir: TempDir;
  beforeAll(async () => {
    dir = await makeTempDir();
  });
  afterAll(() => dir.remove());

  it('the seed demo shows the cause and the fix command in the first three lines', async () => {
    const { code, stdout } = await runCli(['doctor', '--snapshot', 'fixtures/snapshots/seed-codebuild-mode.json']);
    expect(code).toBe(1);
    const [header, verdict, fix] = stdout.split('\n');
    expect(header).toBe('ecr-doctor 0.1.0 · project seed-app-build');
    expect(verdict).toBe(
      'X seed-app-build cannot pull 123456789012.dkr.ecr.us-east-1.amazonaws.com/seed-app:build-2026.11 (CODEBUILD mode): codebuild.amazonaws.com may not pull from seed-app: no statement of the repository policy allows ecr:BatchGetImage and ecr:GetDownloadUrlForLayer for it.',
    );
    expect(fix).toBe('  Fix: ecr-doctor fix --project seed-app-build --dry-run --region us-east-1');
    expect(stdout).not.toMatch(ANSI);
    // The verdict marker is not a detail label: one FAIL line per failing result, as before.
    expect(stdout.split('\n').filter((l) => /^\s*FAIL\b/.test(l))).toEqual([expect.stringMatching(/^ {2}FAIL {2}codebuild-principal-can-pull /)]);
  });

  it('a pull inside the build has its own verdict; a problem of the build around it names no image', async () => {
    const noLogin = (await runCli(['doctor', '--snapshot', 'fixtures/snapshots/in-build-no-login.json'])).stdout.split('\n');
    expect(noLogin[1]).toBe('OK app-build can pull aws/codebuild/standard:7.0 (CODEBUILD mode).');
    expect(noLogin[2]).toMatch(/^X app-build cannot pull 111122223333\.dkr\.ecr\.us-east-1\.amazonaws\.com\/app\/base:1 in the build \(docker pull, as the service role\): `docker pull /);
    expect(noLogin[3]).toMatch(/^ {2}Fix: Add this command to pre_build, before the pull: aws ecr get-login-password/);
    const notPrivileged = (await runCli(['doctor', '--snapshot', 'fixtures/snapshots/in-build-not-privileged.json'])).stdout.split('\n');
    expect(notPrivileged[1]).toMatch(/^X app-build: The buildspec runs docker .* but privileged mode is off/);
    expect(notPrivileged[2]).toMatch(/^ {2}Fix: aws codebuild batch-get-projects --names app-build /);
  });

  it('--image: "2 failed" for two problems', async () => {
    const file = join(dir.path, 'image.json');
    await writeFile(file, JSON.stringify(missingTagNoPolicy));
    const { code, stdout } = await runCli(['doctor', '--snapshot', file]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Summary: \d+ passed, 2 failed/);
  });
});
