/**
 * Every fact that a read can fail to produce carries its own state, so a check can tell
 * "there is none" from "we could not look" (DESIGN.md §1). A missing read permission is a
 * result, never a pass.
 */
export type Fact<T> =
  | { state: 'present'; value: T }
  | { state: 'absent' }
  | { state: 'unreadable'; reason: string; permission?: string; beforeDeploy?: true };

export function present<T>(value: T): Fact<T> {
  return { state: 'present', value };
}

export function absent<T>(): Fact<T> {
  return { state: 'absent' };
}

export function unreadable<T>(reason: string, permission?: string): Fact<T> {
  return permission === undefined ? { state: 'unreadable', reason } : { state: 'unreadable', reason, permission };
}

/**
 * A value infrastructure code cannot know before it is deployed (an image tag pushed after
 * apply, an account id a template leaves to the stack). Checks say "not known before deploy",
 * never pass.
 */
export function unknownBeforeDeploy<T>(reason: string): Fact<T> {
  return { state: 'unreadable', reason, beforeDeploy: true };
}
