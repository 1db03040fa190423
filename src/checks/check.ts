import type { Facts, RepositoryFacts, RoleFacts } from '../model/facts.js';
import type { FixHint, Result, Severity, Status } from '../model/result.js';
import type { CheckId } from './catalog.js';
import type { PullSubject } from './subjects.js';

export interface CheckContext {
  facts: Facts;
  subject: PullSubject;
  /** The repository the image lives in, when it is a private ECR image whose facts were gathered. */
  repository?: RepositoryFacts;
  /** The service role, when its facts were gathered. */
  role?: RoleFacts;
}

/**
 * A check is a small pure function over one pull. It returns nothing when it does not apply
 * (the runner records nothing), one or more results otherwise. A check that throws becomes an
 * `error` result, never a pass.
 */
export interface Check {
  id: CheckId;
  run(ctx: CheckContext): Result[];
}

/** A check over the facts as a whole (lookups that produced no subject: a missing project, a bad buildspec). */
export interface FactsCheck {
  id: CheckId;
  runOnce(facts: Facts): Result[];
}

const SEVERITY: Record<Status, Severity> = { pass: 'info', skip: 'info', warn: 'warning', fail: 'error', error: 'error' };

export interface ResultExtras {
  evidence?: Record<string, unknown>;
  fix?: FixHint;
  subject?: string;
}

export function makeResult(check: CheckId, subject: string, status: Status, message: string, extras: ResultExtras = {}): Result {
  return {
    check,
    status,
    severity: SEVERITY[status],
    subject: extras.subject ?? subject,
    message,
    ...(extras.evidence ? { evidence: extras.evidence } : {}),
    ...(extras.fix ? { fix: extras.fix } : {}),
  };
}

/** A result factory bound to one check and one subject, to keep checks short. */
export function resultsFor(id: CheckId, ctx: CheckContext) {
  const subject = ctx.subject.label;
  const make = (status: Status) => (message: string, extras?: ResultExtras) => makeResult(id, subject, status, message, extras);
  return { pass: make('pass'), fail: make('fail'), warn: make('warn'), skip: make('skip'), error: make('error') };
}

/** "could not check X: <reason>" for a fact we could not read: an error result naming the permission. */
export function unreadableMessage(what: string, fact: { reason: string; permission?: string }): string {
  return `could not check ${what}: ${fact.reason}${fact.permission ? ` (needs ${fact.permission})` : ''}`;
}
