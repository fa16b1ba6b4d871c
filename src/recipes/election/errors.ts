/** Errors of the leader election. */
import { NotOwnerError } from '../../session/errors.js';

/** Why a leadership ended. */
export type RevokeReason =
  /** The connection was lost (default policy, HARD-CASES 3); the session may still live. */
  | 'suspended'
  /** The session ended: its election node is gone. */
  | 'lost'
  /** `close()` was called, or the session was closed. */
  | 'closed'
  /** The election node was deleted (by someone else, or with its container parent). */
  | 'node-deleted'
  /** The node is no longer first in line (only after the sequence counter wrapped). */
  | 'not-first';

/**
 * The leadership ended: the reason of a Leadership's aborted `signal`, and what `guard()`
 * rejects with when the leader's node is gone.
 */
export class LeadershipLostError extends NotOwnerError {
  override name = 'LeadershipLostError';
  readonly reason: RevokeReason;
  constructor(reason: RevokeReason, options?: ErrorOptions) {
    super(`leadership lost: ${reason}`, options);
    this.reason = reason;
  }
}

/** `start()` was called on an election that was already started. */
export class AlreadyStartedError extends Error {
  override name = 'AlreadyStartedError';
  constructor(recipe: string) {
    super(`${recipe} was already started`);
  }
}
