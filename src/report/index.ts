import type { FailOn } from '../model/exit-code.js';
import type { Report } from '../model/result.js';
import { renderJson } from './json.js';
import { renderJsonl } from './jsonl.js';
import { renderJunit } from './junit.js';
import type { Paint } from './paint.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

import type { Format } from './formats.js';

export type { Format };

export interface RenderOptions {
  paint: Paint;
  verbose: boolean;
  quiet?: boolean;
  /** Verdict markers ✗ ✓ (a colour terminal) rather than ASCII words. */
  unicode?: boolean;
  /** The run's --fail-on: formats with a pass/fail notion (JUnit) follow it. */
  failOn?: FailOn;
}

/** One renderer per format; the Record keeps the registry complete as formats are added. */
const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  text: (report, options) => renderText(report, { ...options, problemsOnly: !!options.quiet }),
  json: (report) => renderJson(report),
  junit: (report, options) => renderJunit(report, options.failOn ? { failOn: options.failOn } : {}),
  sarif: (report) => renderSarif(report),
  jsonl: (report) => renderJsonl(report),
};

export function renderReport(format: Format, report: Report, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
