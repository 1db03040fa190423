import type { Verdict } from './verdict.js';
import type { FixGroup } from './fix-group.js';

export type Status = 'pass' | 'fail' | 'warn' | 'skip' | 'error';
export type Severity = 'error' | 'warning' | 'info';

export const STATUSES: readonly Status[] = ['pass', 'fail', 'warn', 'skip', 'error'];

/** A suggested change, as data; `fix` plans the real edit from the same facts. */
export interface FixHint {
  /** Which policy the change belongs in. */
  target: 'repository-policy' | 'role-policy' | 'project-setting' | 'image' | 'other';
  /** The account that must make the change. */
  account?: string;
  /** The ARN of what must change (repository, role, project). */
  resource?: string;
  /** One sentence, no colour. */
  description: string;
  /** A command to run, where there is one. */
  command?: string;
  statement?: unknown;
}

export interface Result {
  check: string;
  status: Status;
  severity: Severity;
  /** The ARN or name the result is about. */
  subject: string;
  /** One sentence, no colour. */
  message: string;
  evidence?: Record<string, unknown>;
  fix?: FixHint;
  /**
   * The account and region whose facts the result was judged from: set on every result of a run
   * over several accounts or regions (--accounts, --organization, --region a,b, --all-regions); additive to schema 1.
   */
  account?: string;
  region?: string;
}

/** One account × region of a multi-scope run: read, or why it could not be (issue 15). */
export interface ScopeOutcome {
  /** Absent when the account itself could not be reached (no credentials for it). */
  account?: string;
  /** Absent when the failure covers every region of the account (its role could not be assumed). */
  region?: string;
  status: 'read' | 'error';
  /** How many projects the scope examined. */
  projects?: number;
  /** Why the scope could not be read, one sentence, and what to do. */
  message?: string;
  hint?: string;
}

export type Summary = Record<Status, number>;

export interface Report {
  schemaVersion: 1;
  tool: { name: 'ecr-doctor'; version: string };
  target: Record<string, unknown>;
  summary: Summary;
  results: Result[];
  /** One answer per pull (and per other subject with a problem), worst result first; additive to schema 1. */
  verdicts?: Verdict[];
  /** The accounts × regions a multi-scope run covered, each read or failed; additive to schema 1. */
  scopes?: ScopeOutcome[];
  /** The problems grouped by the change that fixes them, most subjects first (issue 15); additive to schema 1. */
  groups?: FixGroup[];
}

export function summarise(results: readonly Result[]): Summary {
  const summary: Summary = { pass: 0, fail: 0, warn: 0, skip: 0, error: 0 };
  for (const r of results) summary[r.status] += 1;
  return summary;
}
