import type { Check, FactsCheck } from '../../src/checks/check.js';
import { contextFor } from '../../src/checks/index.js';
import { derivePullSubjects } from '../../src/checks/subjects.js';
import type { Facts } from '../../src/model/facts.js';
import type { Result } from '../../src/model/result.js';

export function runCheck(check: Check | FactsCheck, f: Facts): Result[] {
  if ('runOnce' in check) return check.runOnce(f);
  return derivePullSubjects(f).flatMap((s) => check.run(contextFor(f, s)));
}

export const statuses = (results: Result[]) => results.map((r) => r.status);
