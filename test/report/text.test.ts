import { describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/index.js';
import { decideExitCode } from '../../src/model/exit-code.js';
import type { Result } from '../../src/model/result.js';
import { buildReport } from '../../src/report/build-report.js';
import { renderJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import { facts, policy, pushGrant, repository } from '../checks/facts-builder.js';

const f = facts({ repositories: [repository({ policy: policy(pushGrant) })] });
const target = { projects: ['web-build'], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '--project' };
const report = buildReport(runChecks(f), f, target, 'snapshot');

describe('text report', () => {
  it('matches the file snapshot (no colour)', async () => {
    await expect(renderText(report)).toMatchFileSnapshot('./snapshots/seed.txt');
  });
  it('spells out failures with the fix and the command', () => {
    const text = renderText(report);
    expect(text).toMatch(/FAIL  codebuild-principal-can-pull/);
    expect(text).toContain('run: ecr-doctor fix --project web-build --dry-run');
    expect(text).toMatch(/Summary: \d+ passed, 1 failed/);
    expect(text).not.toMatch(/\u001b\[/);
  });
});

describe('json report', () => {
  it('follows the documented schema', () => {
    const doc = JSON.parse(renderJson(report));
    expect(doc).toMatchObject({ schemaVersion: 1, tool: { name: 'ecr-doctor' }, target: { source: 'snapshot', region: 'us-east-1', account: '111122223333' } });
    const counted = doc.results.reduce((acc: Record<string, number>, r: Result) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(doc.summary).toEqual({ pass: 0, fail: 0, warn: 0, skip: 0, error: 0, ...counted });
    for (const r of doc.results as Result[]) {
      expect(Object.keys(r).every((k) => ['check', 'status', 'severity', 'subject', 'message', 'evidence', 'fix'].includes(k))).toBe(true);
      expect(r.message).not.toContain('\n');
    }
  });
});

describe('text report, --quiet (problems only)', () => {
  const result = (subject: string, check: Result['check'], status: Result['status']): Result => ({ check, status, severity: 'error', subject, message: `${check} ${status}` });
  const results = [
    result('arn:aws:codebuild:us-east-1:111122223333:project/a', 'project-found', 'pass'),
    result('arn:aws:codebuild:us-east-1:111122223333:project/a', 'codebuild-principal-can-pull', 'fail'),
    result('arn:aws:ecr:us-east-1:111122223333:repository/r', 'repository-policy-open', 'warn'),
    result('arn:aws:codebuild:us-east-1:111122223333:project/a', 'service-role-can-pull', 'error'),
  ];
  const quiet = renderText({ ...report, results }, { problemsOnly: true });

  it('names each subject once, above all of its problems, in order of first appearance', () => {
    const headers = quiet.split('\n').filter((l) => l !== '' && !l.startsWith(' '));
    expect(headers).toEqual(['arn:aws:codebuild:us-east-1:111122223333:project/a', 'arn:aws:ecr:us-east-1:111122223333:repository/r']);
    expect(quiet).toMatch(/^arn:\S+project\/a\n\s+FAIL\s+codebuild-principal-can-pull.*\n\s+ERROR\s+service-role-can-pull.*\narn:\S+repository\/r\n\s+WARN\s+repository-policy-open/);
    expect(quiet).not.toMatch(/PASS|Summary/);
  });

  it('prints nothing when all is well', () => {
    expect(renderText({ ...report, results: [results[0]!] }, { problemsOnly: true })).toBe('');
  });
});

describe('decideExitCode', () => {
  const r = (status: Result['status']): Result => ({ check: 'image-exists', status, severity: 'info', subject: 's', message: 'm' });
  it('0 when nothing fails; warnings only with --fail-on warning', () => {
    expect(decideExitCode([r('pass'), r('skip'), r('warn')])).toBe(0);
    expect(decideExitCode([r('warn')], 'warning')).toBe(1);
  });
  it('1 on a failure, also when other checks could not run', () => {
    expect(decideExitCode([r('pass'), r('fail')])).toBe(1);
    expect(decideExitCode([r('error'), r('fail')])).toBe(1);
    expect(decideExitCode([r('error'), r('warn')], 'warning')).toBe(1);
  });
  it('3 (could not finish) when a check could not run and nothing failed: never a pass', () => {
    expect(decideExitCode([r('error')])).toBe(3);
    expect(decideExitCode([r('pass'), r('error'), r('warn')])).toBe(3);
  });
});
