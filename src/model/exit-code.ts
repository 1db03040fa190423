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
 * 0 nothing at or above --fail-on failed, 1 something did.
 * A check that could not run (`error`) counts as a failure: it is never a pass.
 */
export function decideExitCode(results: readonly Result[], failOn: FailOn = 'error'): ExitCode {
  const failing = results.some(
    (r) => r.status === 'fail' || r.status === 'error' || (failOn === 'warning' && r.status === 'warn'),
  );
  return failing ? EXIT.failed : EXIT.ok;
}
