import type { Result } from './result.js';

export type FailOn = 'error' | 'warning';

export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  incomplete: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * The one place that turns results into a process exit code (DESIGN.md §3):
 * 1 when something at or above --fail-on failed; else 3 when a check could not run (`error`,
 * e.g. a required read was denied: the run could not finish, and that is never a pass);
 * else 0. Real failures win over errors: what is known to be broken is the headline.
 */
export function decideExitCode(results: readonly Result[], failOn: FailOn = 'error'): ExitCode {
  if (results.some((r) => r.status === 'fail' || (failOn === 'warning' && r.status === 'warn'))) return EXIT.failed;
  if (results.some((r) => r.status === 'error')) return EXIT.incomplete;
  return EXIT.ok;
}
