/**
 * A node held by its creator (a lock node, a lease): what the holder is told through its
 * `signal`, once, when it loses the node or can no longer be sure of it (HARD-CASES 5).
 */
import { LockLostError, type LossReason } from '../lock-errors.js';

/** What a holder gets: its node, its fencing token, and a signal that aborts when it loses. */
export interface Tenure {
  /** The path of the holder's node. */
  readonly node: string;
  /** The czxid of the node: grows with every new holder (HARD-CASES 6). */
  readonly fencingToken: bigint;
  /** Aborts with a LockLostError when the holder loses the lock or can no longer be sure. */
  readonly signal: AbortSignal;
}

export class HeldNode implements Tenure {
  readonly node: string;
  readonly fencingToken: bigint;
  readonly #controller = new AbortController();

  constructor(node: string, fencingToken: bigint) {
    this.node = node;
    this.fencingToken = fencingToken;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  get isRevoked(): boolean {
    return this.#controller.signal.aborted;
  }

  /** Aborts the signal; returns the reason, or undefined if it had already aborted (edges only). */
  revoke(reason: LossReason): LockLostError | undefined {
    if (this.isRevoked) return undefined;
    const error = new LockLostError(reason, this.node);
    this.#controller.abort(error);
    return error;
  }
}
