import { EXIT } from './exit-code.js';

/**
 * An error the user can act on: one line, an optional hint, a fixed exit code.
 * `UsageError` (exit 2) is bad input; `IncompleteError` (exit 3) means we could not finish.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

export class IncompleteError extends UserError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.incomplete, hint);
  }
}
