/**
 * Why a holder lost (or can no longer be sure of) its lock, leadership or lease: the reason a
 * holder's `signal` aborts with (HARD-CASES 5).
 */

export type LossReason =
  /** The connection dropped: the session (and the node) may live, but nothing is certain. */
  | 'suspended'
  /** The session is gone, and every ephemeral node of it. */
  | 'expired'
  /** Someone else deleted the holder's node. */
  | 'deleted'
  /** The recipe or its session was closed. */
  | 'closed';

const EXPLAIN: Record<LossReason, string> = {
  suspended: 'the connection was lost: the lock is uncertain',
  expired: 'the session expired: the lock node is gone',
  deleted: 'the lock node was deleted by someone else',
  closed: 'the recipe or its session was closed',
};

/** The holder must stop acting on the lock; `reason` says why. */
export class LockLostError extends Error {
  override name = 'LockLostError';
  readonly reason: LossReason;
  /** The holder's node path. */
  readonly node: string;
  constructor(reason: LossReason, node: string, options?: ErrorOptions) {
    super(`${node}: ${EXPLAIN[reason]}`, options);
    this.reason = reason;
    this.node = node;
  }
}
