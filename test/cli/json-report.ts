// Reads the public JSON report (DESIGN.md §3) the way a consumer would: from the CLI's stdout,
// checking its shape before a test looks inside.
import { CHECK_IDS } from '../../src/checks/catalog.js';
import type { Report, Result, Status } from '../../src/model/result.js';

const STATUSES = new Set(['pass', 'fail', 'warn', 'skip', 'error']);
const SEVERITIES = new Set(['error', 'warning', 'info']);

/** Throws with the reason when `value` is not a schemaVersion 1 report. */
export function assertReportShape(value: unknown): asserts value is Report {
  const fail = (why: string): never => {
    throw new Error(`not an ecr-doctor JSON report: ${why}`);
  };
  if (typeof value !== 'object' || value === null) fail('not an object');
  const r = value as Record<string, unknown>;
  if (r['schemaVersion'] !== 1) fail(`schemaVersion is ${String(r['schemaVersion'])}`);
  const tool = r['tool'] as Record<string, unknown> | undefined;
  if (tool?.['name'] !== 'ecr-doctor' || typeof tool['version'] !== 'string') fail('tool is not {name: ecr-doctor, version}');
  if (typeof r['target'] !== 'object' || r['target'] === null) fail('target is not an object');
  const summary = r['summary'] as Record<string, unknown> | undefined;
  for (const s of STATUSES) if (typeof summary?.[s] !== 'number') fail(`summary.${s} is not a number`);
  if (!Array.isArray(r['results'])) fail('results is not an array');
  const counts: Record<string, number> = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const [i, x] of (r['results'] as unknown[]).entries()) {
    const res = x as Record<string, unknown>;
    if (!CHECK_IDS.includes(res['check'] as never)) fail(`results[${i}].check ${String(res['check'])} is not in the catalogue`);
    if (!STATUSES.has(res['status'] as string)) fail(`results[${i}].status ${String(res['status'])}`);
    if (!SEVERITIES.has(res['severity'] as string)) fail(`results[${i}].severity ${String(res['severity'])}`);
    if (typeof res['subject'] !== 'string' || res['subject'] === '') fail(`results[${i}].subject`);
    if (typeof res['message'] !== 'string' || res['message'] === '') fail(`results[${i}].message`);
    counts[res['status'] as string]! += 1;
  }
  for (const s of STATUSES) if (counts[s] !== summary?.[s]) fail(`summary.${s} is ${String(summary?.[s])}, results hold ${counts[s]}`);
}

export function parseReport(stdout: string): Report {
  let value: unknown;
  try {
    value = JSON.parse(stdout);
  } catch (e) {
    throw new Error(`stdout is not JSON (${(e as Error).message}): ${stdout.slice(0, 300)}`);
  }
  assertReportShape(value);
  return value;
}

export function resultsOf(report: Report, check: string, status?: Status): Result[] {
  return report.results.filter((r) => r.check === check && (status === undefined || r.status === status));
}

/** "check:status" for every result, for readable failure output. */
export function outline(report: Report): string[] {
  return report.results.map((r) => `${r.check}:${r.status}`);
}
