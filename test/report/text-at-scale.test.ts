import { describe, expect, it } from 'vitest';
import type { Paint } from '../../src/report/paint.js';
import { renderJson } from '../../src/report/json.js';
import { renderText } from '../../src/report/text.js';
import { isAtScale } from '../../src/report/text-at-scale.js';
import { runChecks } from '../../src/checks/index.js';
import { buildReport } from '../../src/report/build-report.js';
import { codebuildGrant, facts, policy, project, repository } from '../checks/facts-builder.js';
import { A, B, scaleReport, scaleResults, SCOPES, UNREACHABLE } from './scale-report.js';

const { results, pulls } = scaleResults();
const report = scaleReport(results, pulls);

/** Marks each style, so a test sees where colour would go without ANSI codes. */
const TAGS: Paint = { bold: (s) => `<b>${s}</b>`, dim: (s) => `<d>${s}</d>`, red: (s) => `<r>${s}</r>`, green: (s) => `<g>${s}</g>`, yellow: (s) => `<y>${s}</y>`, cyan: (s) => `<c>${s}</c>` };

describe('text report at scale: 300 projects in 2 accounts × 2 regions (and one account that could not be read)', () => {
  it('matches the file snapshot (no colour)', async () => {
    await expect(renderText(report)).toMatchFileSnapshot('./snapshots/scale.txt');
  });

  it('--quiet keeps to the problems: the groups and the unread scopes, no header, counts line or summary', async () => {
    const quiet = renderText(report, { problemsOnly: true });
    await expect(quiet).toMatchFileSnapshot('./snapshots/scale-quiet.txt');
    expect(quiet).not.toMatch(/^ecr-doctor|Summary:|pass; run with --verbose/m);
  });

  it('leads with the counts, then one line per change, most projects first, with the command that fixes each group', () => {
    const lines = renderText(report).split('\n');
    // The five lifecycle warnings do not stop a pull: those projects pass, with warnings (the verdict's rule).
    expect(lines[1]).toBe('300 projects in 3 accounts × 2 regions: 260 failing, 15 could not be checked, 25 pass (5 with warnings).');
    const groupLines = lines.filter((l) => /^[X?!] /.test(l));
    expect(groupLines[0]).toBe(`X repository seed-app (account ${A}, us-east-1): 180 projects cannot pull in CODEBUILD mode: codebuild.amazonaws.com may not pull from seed-app: the repository has no repository policy.`);
    expect(lines).toContain('  Fix: one repository policy statement fixes all 180: ecr-doctor fix --all-projects --scope account --dry-run --region us-east-1');
    expect(lines).toContain(`  Fix: one role policy change fixes all 40: ecr-doctor fix --all-projects --dry-run --region us-east-1 --account ${B} --assume-role EcrDoctorAudit`);
    expect(groupLines.map((l) => /: (\d+) projects?/.exec(l)?.[1] ?? /^. (\d+) projects?/.exec(l)?.[1])).toEqual(['180', '40', '40', '15', '5', undefined]);
    expect(groupLines.slice(1, 3).map((l) => l.slice(0, 14))).toEqual(['X repository b', 'X role shared-']);
    // The 312-blocks problem: no per-project verdict without --verbose.
    expect(lines.filter((l) => l.includes('app-0'))).toEqual([]);
    expect(lines).toContain('25 projects pass; run with --verbose for each project.');
  });

  it('lists the account × region that could not be read, with its message and hint', () => {
    const text = renderText(report);
    expect(text).toContain(`Could not be read (1 of ${SCOPES.length} account × region):\n? account ${UNREACHABLE}, us-east-1: sts:AssumeRole on arn:aws:iam::${UNREACHABLE}:role/EcrDoctorAudit was denied.\n  hint: create the role`);
    // The scope-read result says the same thing: it is not listed twice.
    expect(text.match(/account 777788889999, us-east-1:/g)).toHaveLength(1);
  });

  it('a scope-read result the runner did not list in scopes is listed too, its fix as the hint', () => {
    const text = renderText({ ...report, scopes: SCOPES.filter((s) => s.status === 'read') });
    expect(text).toContain(`Could not be read (1 of 4 account × region):\n? account ${UNREACHABLE}, us-east-1: sts:AssumeRole on`);
    expect(text).toContain(`  hint: Create the role EcrDoctorAudit in account ${UNREACHABLE}, trusting account ${A}.`);
  });

  it('--verbose adds each project: its verdict and its details', () => {
    const verbose = renderText(report, { verbose: true });
    expect(verbose).toContain('Each project:');
    expect(verbose).toContain('X app-000 cannot pull 111122223333.dkr.ecr.us-east-1.amazonaws.com/seed-app:build (CODEBUILD mode): codebuild.amazonaws.com may not pull from seed-app: the repository has no repository policy.');
    expect(verbose).toContain('OK ok-000 can pull');
    expect(verbose).toMatch(/\n {2}PASS {2}project-found {2}project-found passes\./);
    expect(verbose).not.toContain('run with --verbose');
    expect(verbose.indexOf('What fixes what')).toBeLessThan(verbose.indexOf('Each project:'));
  });

  it('colour and unicode markers follow text.ts: ✗ ! ? at a colour terminal, ASCII otherwise; no ANSI in plain output', () => {
    const plain = renderText(report);
    expect(plain).not.toMatch(/\u001b\[|[✗✓]/);
    const painted = renderText(report, { paint: TAGS, unicode: true });
    expect(painted).toContain('<r><b>✗</b></r> repository seed-app');
    expect(painted).toContain('<y>!</y> repository jobs');
    expect(painted).toContain('<r><b>?</b></r> 15 projects');
    expect(painted).toContain('<c>Fix:</c> one repository policy statement');
  });

  it('control characters in names are shown, never sent to the terminal', () => {
    const hostile = results.map((r) => (r.check === 'lifecycle-expiry' ? { ...r, message: 'The image \u001b[31mjobs:1 is eligible.' } : r));
    expect(renderText(scaleReport(hostile, pulls))).toContain('The image \\x1b[31mjobs:1 is eligible.');
  });
});

describe('text report at scale: the same change on each project', () => {
  it('says the change is made on each project, and that each has its own command', () => {
    const rs = results.map((r) => (r.check === 'lifecycle-expiry'
      ? { ...r, check: 'docker-daemon', status: 'fail' as const, message: 'The buildspec runs docker build without privileged mode.', fix: { target: 'project-setting' as const, account: B, resource: r.subject, description: 'Turn on privileged mode.', command: `aws codebuild update-project --name ${r.subject.replace(/^.*\//, '')}` } }
      : r));
    const lines = renderText(scaleReport(rs, pulls)).split('\n');
    const at = lines.indexOf('X 5 projects (account 444455556666, eu-west-1): The buildspec runs docker build without privileged mode.');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3)).toEqual(['  Fix: the same project setting on each of the 5: Turn on privileged mode.', '  (each of the 5 has its own command; run with --verbose for each)']);
  });
});

describe('when the report is at scale', () => {
  const small = (n: number) => {
    const f = facts({ repositories: [repository({ policy: policy(codebuildGrant()) })] });
    const names = Array.from({ length: n }, (_, i) => `p${i}`);
    const projects = names.map((name) => ({ requested: name, project: { state: 'present' as const, value: project({ name, arn: `arn:aws:codebuild:us-east-1:111122223333:project/${name}` }) } }));
    const many = { ...f, projects };
    return buildReport(runChecks(many), many, { projects: names, allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '--project' }, 'snapshot');
  };

  it('five pulls keep the per-pull layout; six lead with the groups; any multi-scope report does', () => {
    expect(isAtScale(small(5))).toBe(false);
    expect(renderText(small(5))).not.toContain('What fixes what');
    expect(isAtScale(small(6))).toBe(true);
    expect(renderText(small(6))).toContain('6 projects: 6 failing.');
    expect(isAtScale({ ...small(1), scopes: [{ account: A, region: 'us-east-1', status: 'read' }] })).toBe(true);
  });
});

describe('json report: groups', () => {
  it('carries the groups, each with its fix, count, subjects, account and region', () => {
    const doc = JSON.parse(renderJson(report));
    expect(doc.groups).toHaveLength(5);
    expect(doc.groups[0]).toMatchObject({
      status: 'fail', check: 'codebuild-principal-can-pull', count: 180, account: A, region: 'us-east-1',
      fix: { target: 'repository-policy', account: A, resource: 'arn:aws:ecr:us-east-1:111122223333:repository/seed-app', command: 'ecr-doctor fix --all-projects --scope account --dry-run --region us-east-1' },
    });
    expect(doc.groups[0].subjects).toHaveLength(180);
    expect(doc.groups.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(280);
  });

  it('a single-project report has its groups too (additive to schema 1)', () => {
    const one = small1();
    expect(JSON.parse(renderJson(one)).groups).toEqual(one.groups);
  });
});

function small1() {
  const f = facts({ repositories: [repository()] });
  return buildReport(runChecks(f), f, { projects: ['web-build'], allProjects: false, builds: [], lastFailed: false, images: [], foundBy: '--project' }, 'snapshot');
}
