import { CHECK_CATALOG, CHECK_IDS, type CheckId } from '../checks/catalog.js';
import type { FailOn } from '../model/exit-code.js';
import type { Report, Result, Status } from '../model/result.js';
import { locationText } from './text.js';
import { escapeXmlAttribute as attr, escapeXmlText as text } from './xml-escape.js';

/**
 * JUnit XML for CodeBuild report groups (`reports:` with the default `file-format: JUNITXML`).
 *
 * CodeBuild keeps, per test case, only a suite name, a prefix (the JUnit classname), a name, a
 * status (SUCCEEDED | FAILED | ERROR | SKIPPED | UNKNOWN) and a message (API `TestCase`,
 * https://docs.aws.amazon.com/codebuild/latest/APIReference/API_TestCase.html). `<properties>`
 * are not shown there, so the suite name is the check id: short, stable across releases, the
 * same string as `check` in the JSON report and `ruleId` in SARIF, and what a user filters on.
 * The human title rides along in a suite property (Jenkins, GitLab and others show those) and in
 * the body of every failure, which is the part CodeBuild does display.
 *
 * A report holds at most 500 test cases and CodeBuild keeps the FAILED ones when it truncates
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/test-report.html), so nothing is lost
 * that matters even for --all-projects on a large account.
 *
 * Deterministic: suites follow CHECK_CATALOG order (ids outside it follow, in order of first
 * appearance), cases keep the report's order, and every `time` is "0" because a Report carries
 * no timings or timestamps.
 *
 * `failOn` is the run's --fail-on: with 'warning' the run fails on a warning, so a warning is a
 * JUnit failure too and the report group agrees with the exit code.
 */
export interface JunitOptions {
  failOn?: FailOn;
}

export function renderJunit(report: Report, options: JunitOptions = {}): string {
  const warningsFail = options.failOn === 'warning';
  const suites = groupByCheck(report.results);
  const total = countStatuses(report.results);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ecr-doctor" ${countAttributes(total, warningsFail)} time="0">`,
  ];
  for (const [check, results] of suites) lines.push(...renderSuite(check, results, warningsFail));
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

type Counts = { tests: number } & Record<Status, number>;

function countStatuses(results: readonly Result[]): Counts {
  const counts: Counts = { tests: 0, pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) {
    counts.tests += 1;
    counts[r.status] += 1;
  }
  return counts;
}

function countAttributes(c: Counts, warningsFail: boolean): string {
  const failures = c.fail + (warningsFail ? c.warn : 0);
  return `tests="${c.tests}" failures="${failures}" errors="${c.error}" skipped="${c.skip}"`;
}

function isCheckId(check: string): check is CheckId {
  return Object.hasOwn(CHECK_CATALOG, check);
}

function groupByCheck(results: readonly Result[]): Map<string, Result[]> {
  const byCheck = new Map<string, Result[]>();
  for (const r of results) {
    const list = byCheck.get(r.check);
    if (list) list.push(r);
    else byCheck.set(r.check, [r]);
  }
  const ordered = new Map<string, Result[]>();
  for (const id of CHECK_IDS) {
    const list = byCheck.get(id);
    if (list) ordered.set(id, list);
  }
  for (const [check, list] of byCheck) if (!ordered.has(check)) ordered.set(check, list);
  return ordered;
}

function renderSuite(check: string, results: readonly Result[], warningsFail: boolean): string[] {
  const title = isCheckId(check) ? CHECK_CATALOG[check].title : undefined;
  const lines = [
    `  <testsuite name="${attr(check)}" ${countAttributes(countStatuses(results), warningsFail)} time="0">`,
  ];
  if (title !== undefined) {
    lines.push(
      '    <properties>',
      `      <property name="title" value="${attr(title)}"/>`,
      '    </properties>',
    );
  }
  for (const r of results) lines.push(...renderCase(r, title, warningsFail));
  lines.push('  </testsuite>');
  return lines;
}

function renderCase(result: Result, title: string | undefined, warningsFail: boolean): string[] {
  const r = withLocation(result);
  const open = `    <testcase name="${attr(r.subject)}" classname="${attr(`ecr-doctor.${r.check}`)}" time="0"`;
  const body = describe(r, title);
  switch (r.status) {
    case 'pass':
      return [`${open}/>`];
    case 'fail':
      return [
        `${open}>`,
        `      <failure message="${attr(r.message)}" type="${attr(r.check)}">${text(body)}</failure>`,
        '    </testcase>',
      ];
    case 'error':
      return [
        `${open}>`,
        `      <error message="${attr(r.message)}" type="${attr(r.check)}">${text(body)}</error>`,
        '    </testcase>',
      ];
    case 'skip':
      return [`${open}>`, `      <skipped message="${attr(r.message)}"/>`, '    </testcase>'];
    case 'warn':
      if (warningsFail) {
        return [
          `${open}>`,
          `      <failure message="${attr(`warning: ${r.message}`)}" type="${attr(r.check)}">${text(`warning: ${body}`)}</failure>`,
          '    </testcase>',
        ];
      }
      // JUnit has no warning state: a warning is a passing test case that carries its text in
      // <system-out>, so it neither fails the report group nor disappears (unless --fail-on warning).
      return [
        `${open}>`,
        `      <system-out>${text(`warning: ${body}`)}</system-out>`,
        '    </testcase>',
      ];
  }
}

/** The message first (it is what a reader sees first), then title, evidence and the fix. */
function describe(r: Result, title: string | undefined): string {
  const parts = [r.message];
  parts.push(title === undefined ? `Check: ${r.check}` : `Check: ${title} [${r.check}]`);
  if (r.evidence !== undefined && Object.keys(r.evidence).length > 0) {
    parts.push(`Evidence:\n${toJson(r.evidence)}`);
  }
  if (r.fix !== undefined) {
    const where = [r.fix.target, r.fix.account && `account ${r.fix.account}`, r.fix.resource]
      .filter(Boolean)
      .join(', ');
    parts.push(`Fix (${where}): ${r.fix.description}`);
    if (r.fix.command !== undefined) parts.push(`Command: ${r.fix.command}`);
    if (r.fix.statement !== undefined) parts.push(`Statement:\n${toJson(r.fix.statement)}`);
  }
  return parts.join('\n');
}

// Evidence is JSON-serialisable by contract (it comes from Facts); a renderer that throws would
// lose every other result in CI, so an odd value degrades to a note instead.
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? 'null';
  } catch {
    return '"[evidence not serialisable]"';
  }
}

/**
 * A result about a resource defined in code names its file and line in the message, the one part
 * of a failure every JUnit viewer (CodeBuild report groups included) shows (issue 13).
 */
function withLocation(r: Result): Result {
  if (r.evidence?.['location'] === undefined) return r;
  const where = locationText(r);
  return where ? { ...r, message: `${r.message} (at ${where})` } : r;
}
