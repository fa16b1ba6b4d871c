/**
 * What `acquire()` of a lock or a semaphore resolves: proof of holding, to release once.
 *
 * - `signal` aborts with a LockLostError when the holder loses the lock or can no longer be sure
 *   of it (HARD-CASES 5); pass it to the work the lock protects.
 * - `fencingToken` is the czxid of the holder's node: it grows with every new holder, so a
 *   resource that remembers the highest token seen can refuse a paused ex-holder (HARD-CASES 6).
 * - `guard(ops)` applies writes only while the node still exists, atomically (one `multi`).
 * - `release()` is idempotent, and so is `await using` (`[Symbol.asyncDispose]`). It never hangs
 *   on a dead connection: a delete that failed is retried in the background (HARD-CASES 10).
 *
 * @example
 * ```ts
 * await using lock = await mutex.acquire({ timeoutMs: 5_000 });
 * await lock.guard([{ op: 'setData', path: '/config', data: 'v2' }]);
 * ```
 */
import { InvalidArgumentError, NotOwnerError } from '../session/errors.js';
import { MultiError, type SessionMultiOp } from '../session/multi.js';
import type { Session } from '../session/session.js';
import type { MultiResult } from '../session/transport/types.js';
import type { Tenure } from './internal/held-node.js';

export class LockHandle implements AsyncDisposable {
  /** The path of the holder's node. */
  readonly node: string;
  /** The czxid of the holder's node (64-bit, grows with every new holder). */
  readonly fencingToken: bigint;
  /** Aborts with a LockLostError when the lock is lost or uncertain. */
  readonly signal: AbortSignal;
  readonly #session: Session;
  readonly #owner: object;
  readonly #giveBack: () => Promise<void>;
  #released: Promise<void> | undefined;

  /** @internal Made by the recipes: `giveBack` returns this one entry to `owner`. */
  constructor(tenure: Tenure, session: Session, owner: object, giveBack: () => Promise<void>) {
    this.node = tenure.node;
    this.fencingToken = tenure.fencingToken;
    this.signal = tenure.signal;
    this.#session = session;
    this.#owner = owner;
    this.#giveBack = giveBack;
  }

  get isReleased(): boolean {
    return this.#released !== undefined;
  }

  /** True if `owner` (a Mutex, a lock of a ReadWriteLock, a Semaphore) issued this handle. */
  isOwnedBy(owner: object): boolean {
    return this.#owner === owner;
  }

  /**
   * Gives the lock back (one entry of a re-entrant hold; the node is deleted with the last).
   * Idempotent: later calls return the first call's promise. Resolves after the first delete
   * attempt; a failed one is retried in the background until the node is gone.
   */
  release(): Promise<void> {
    this.#released ??= this.#giveBack();
    return this.#released;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }

  /**
   * Runs `ops` in one transaction with a check that our node still exists, so a holder that
   * lost its node cannot write. Resolves the results of `ops`. Rejects with NotOwnerError when
   * released, when `signal` has aborted, or when the check failed (cause: the MultiError).
   */
  async guard(ops: readonly SessionMultiOp[]): Promise<MultiResult[]> {
    if (!Array.isArray(ops))
      throw new InvalidArgumentError('ops', 'expected an array of operations');
    if (this.isReleased) throw new NotOwnerError(`${this.node} was released`);
    if (this.signal.aborted)
      throw new NotOwnerError(`${this.node} is no longer held`, { cause: this.signal.reason });
    try {
      // version -1: the check is that the node exists; its name (a UUID) is never reused.
      const results = await this.#session.multi([
        { op: 'check', path: this.node, version: -1 },
        ...ops,
      ]);
      return results.slice(1);
    } catch (err) {
      if (err instanceof MultiError && err.index === 0)
        throw new NotOwnerError(`${this.node} is gone: the lock is no longer held`, { cause: err });
      throw err;
    }
  }
}
