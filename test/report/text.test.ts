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

describe('decideExitCode', () => {
  const r = (status: Result['status']): Result => ({ check: 'image-exists', status, severity: 'info', subject: 's', message: 'm' });
  it('0 when nothing fails, 1 on fail or error, warnings only with --fail-on warning', () => {
    expect(decideExitCode([r('pass'), r('skip'), r('warn')])).toBe(0);
    expect(decideExitCode([r('pass'), r('fail')])).toBe(1);
    expect(decideExitCode([r('error')])).toBe(1);
    expect(decideExitCode([r('warn')], 'warning')).toBe(1);
  });
});
