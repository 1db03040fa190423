import type { Report, Result, ScopeOutcome, Summary } from '../model/result.js';
import type { Verdict } from '../model/verdict.js';

/**
 * JSON Lines (one JSON value per line, https://jsonlines.org): the report as a stream, so a run
 * over thousands of projects prints each scope's results as soon as it is read and a consumer
 * (`jq -c 'select(.type == "result")'`) needs neither the memory nor the wait of one document.
 * Every line has a `type`: one `run` first (what is examined), then `result`, `verdict` and
 * `scope` lines in the order the scopes finish, and one `summary` last. The fields of a result
 * line are those of the JSON report's results (DESIGN.md §3), with `account` and `region` on
 * multi-scope runs.
 */
export type JsonlHeader = Pick<Report, 'schemaVersion' | 'tool' | 'target'>;

const line = (value: object): string => `${JSON.stringify(value)}\n`;

export function jsonlRun(header: JsonlHeader): string {
  return line({ type: 'run', ...header });
}

export function jsonlResult(result: Result): string {
  return line({ type: 'result', ...result });
}

export function jsonlVerdict(verdict: Verdict, where: { account?: string; region?: string } = {}): string {
  return line({ type: 'verdict', ...verdict, ...where });
}

export function jsonlScope(scope: ScopeOutcome): string {
  return line({ type: 'scope', ...scope });
}

export function jsonlSummary(summary: Summary, extra: { scopes?: number; scopeErrors?: number } = {}): string {
  return line({ type: 'summary', summary, ...extra });
}

/** A whole report at once (a single-scope run, or --output): the same lines a stream would give. */
export function renderJsonl(report: Report): string {
  const { schemaVersion, tool, target } = report;
  return [
    jsonlRun({ schemaVersion, tool, target }),
    ...report.results.map(jsonlResult),
    ...(report.verdicts ?? []).map((v) => jsonlVerdict(v)),
    ...(report.scopes ?? []).map(jsonlScope),
    jsonlSummary(report.summary, report.scopes ? { scopes: report.scopes.length, scopeErrors: report.scopes.filter((s) => s.status === 'error').length } : {}),
  ].join('');
}
