import type { Report } from '../model/result.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import type { Paint } from './paint.js';
import { renderSarif } from './sarif.js';
import { renderText } from './text.js';

export type Format = 'text' | 'json' | 'junit' | 'sarif';
export const FORMATS: readonly Format[] = ['text', 'json', 'junit', 'sarif'];

export interface RenderOptions {
  paint: Paint;
  verbose: boolean;
  quiet?: boolean;
}

/** One renderer per format; the Record keeps the registry complete as formats are added. */
const RENDERERS: Record<Format, (report: Report, options: RenderOptions) => string> = {
  text: (report, options) => renderText(report, { ...options, problemsOnly: !!options.quiet }),
  json: (report) => renderJson(report),
  junit: (report) => renderJunit(report),
  sarif: (report) => renderSarif(report),
};

export function renderReport(format: Format, report: Report, options: RenderOptions): string {
  return RENDERERS[format](report, options);
}
