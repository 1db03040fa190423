import type { Report } from '../model/result.js';

/** The public JSON report (DESIGN.md §3); its shape is versioned by `schemaVersion`. */
export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
