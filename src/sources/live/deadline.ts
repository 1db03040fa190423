import { IncompleteError } from '../../model/errors.js';

/** The run's deadline ran out while something was still waiting (exit 3, naming what). */
export class DeadlineError extends IncompleteError {
  constructor(
    message: string,
    readonly waitingFor: string,
  ) {
    super(message, 'the endpoint (or the credential helper) accepted the request but did not answer: check the network, any proxy and --endpoint-url, or allow more time with --timeout SECONDS');
  }
}

export interface Deadline {
  readonly seconds: number;
  /** `work`, or a DeadlineError naming `what` when the deadline passes first. */
  race<T>(work: Promise<T>, what: string): Promise<T>;
  /** Milliseconds left (0 once passed). */
  remainingMs(): number;
}

let expired = false;

/** True once any deadline of this process has passed: the CLI then exits at once, leaving hung sockets behind. */
export function deadlineExpired(): boolean {
  return expired;
}

export function formatSeconds(seconds: number): string {
  return `${Number.isInteger(seconds) ? seconds : seconds.toFixed(1)} s`;
}

/**
 * One deadline for the whole run. Each wait gets its own timer, cleared when the wait ends, so
 * a finished run never waits for the deadline and a hung call never outlives it.
 */
export function startDeadline(seconds: number, now: () => number = Date.now): Deadline {
  const endsAt = now() + seconds * 1000;
  const remainingMs = () => Math.max(0, endsAt - now());
  return {
    seconds,
    remainingMs,
    race<T>(work: Promise<T>, what: string): Promise<T> {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => {
          expired = true;
          reject(new DeadlineError(`${what} did not answer within ${formatSeconds(seconds)}`, what));
        }, remainingMs());
      });
      return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
    },
  };
}
