/**
 * What a leader holds while it leads: a signal that says when to stop, a fencing token, and a
 * way to write only while its election node still exists.
 */
import { InvalidArgumentError } from '../../session/errors.js';
import { MultiError, type SessionMultiOp } from '../../session/multi.js';
import type { Session } from '../../session/session.js';
import type { MultiResult } from '../../session/transport/types.js';
import { LeadershipLostError, type RevokeReason } from './errors.js';

export interface Leadership {
  /** The participant id of this leader. */
  readonly participantId: string;
  /** The election node that made this participant leader. */
  readonly node: string;
  /**
   * The czxid of the election node: a 64-bit number that grows with every node created in the
   * ensemble. Pass it to the resource you guard and let it refuse smaller tokens, so that a
   * leader paused past its session cannot act after a newer one (HARD-CASES 6).
   */
  readonly fencingToken: bigint;
  /**
   * Aborts the moment leadership is no longer certain: connection suspended (default policy),
   * session lost, `close()`, election node deleted. The reason is a LeadershipLostError.
   */
  readonly signal: AbortSignal;
  /**
   * Runs `ops` in one transaction with a `check` of the election node first, so a leader whose
   * node is gone cannot write. Resolves with the results of `ops`; rejects with
   * LeadershipLostError when leadership is over (nothing applied), or with a MultiError whose
   * `index` counts in `ops` when one of them failed.
   */
  guard(ops: readonly SessionMultiOp[]): Promise<MultiResult[]>;
}

export class LeadershipImpl implements Leadership {
  readonly participantId: string;
  readonly node: string;
  readonly fencingToken: bigint;
  readonly #session: Session;
  /** The session generation the node was created under: a later session never owns it. */
  readonly #generation: number;
  readonly #controller = new AbortController();

  constructor(session: Session, participantId: string, node: string, fencingToken: bigint) {
    this.#session = session;
    this.#generation = session.generation;
    this.participantId = participantId;
    this.node = node;
    this.fencingToken = fencingToken;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True until `end()`. */
  get isActive(): boolean {
    return !this.#controller.signal.aborted;
  }

  /** Ends this leadership; false if it had already ended. */
  end(reason: RevokeReason): boolean {
    if (!this.isActive) return false;
    this.#controller.abort(new LeadershipLostError(reason));
    return true;
  }

  async guard(ops: readonly SessionMultiOp[]): Promise<MultiResult[]> {
    if (!Array.isArray(ops))
      throw new InvalidArgumentError('ops', 'expected an array of operations');
    this.signal.throwIfAborted();
    // Checked just before the multi picks its connection (no await in between): a node of an
    // earlier session must not be checked on a later one, where a timed-out session's node can
    // still exist for a moment (HARD-CASES 4).
    if (this.#session.generation !== this.#generation) throw new LeadershipLostError('lost');
    try {
      const results = await this.#session.multi([{ op: 'check', path: this.node }, ...ops]);
      return results.slice(1);
    } catch (err) {
      if (!(err instanceof MultiError)) throw err;
      if (err.index === 0) throw new LeadershipLostError('node-deleted', { cause: err });
      throw new MultiError(err.index - 1, ops[err.index - 1]?.path, err.results.slice(1));
    }
  }
}
