/**
 * An item delivered by `consume()`: held under its EPHEMERAL lock `Q-locks/<item>` until
 * `ack()` deletes item and lock in one `multi`, or `nack()` deletes the lock and the item is
 * available again (HARD-CASES 14). If the session is lost the lock goes with it and the item is
 * delivered again, maybe to another consumer: `signal` aborts, and `ack()` rejects with
 * ItemLockLostError, so the old handle can never delete an item someone else now holds.
 */
import { isRetryable, SessionExpiredError } from '../../session/errors.js';
import { MultiError } from '../../session/multi.js';
import type { Session } from '../../session/session.js';
import { isNoNode } from './claim.js';
import { ItemLockLostError } from './errors.js';

/** An item taken from the queue. */
export interface QueueItem<T> {
  /** The item's node name, e.g. `queue-1000000050000000042`. */
  readonly id: string;
  readonly priority: number;
  readonly value: T;
}

/** An item held for work (at-least-once): ack it when done, or nack it to give it back. */
export interface ConsumedItem<T> extends QueueItem<T> {
  /** Aborts with ItemLockLostError when the lock is lost (session lost): stop the work. */
  readonly signal: AbortSignal;
  /** Deletes the item and its lock. Rejects with ItemLockLostError if the lock is no longer ours. */
  ack(): Promise<void>;
  /** Deletes the lock: the item goes back to the queue. Idempotent. */
  nack(): Promise<void>;
}

export class ConsumedItemImpl<T> implements ConsumedItem<T> {
  readonly id: string;
  readonly priority: number;
  readonly value: T;
  readonly #session: Session;
  readonly #node: string;
  readonly #lock: string;
  readonly #generation: number;
  readonly #controller = new AbortController();
  readonly #onSettled: (item: ConsumedItemImpl<T>) => void;
  #settled: Promise<void> | undefined;

  constructor(
    fields: QueueItem<T> & { node: string; lock: string },
    session: Session,
    onSettled: (item: ConsumedItemImpl<T>) => void,
  ) {
    this.id = fields.id;
    this.priority = fields.priority;
    this.value = fields.value;
    this.#node = fields.node;
    this.#lock = fields.lock;
    this.#session = session;
    this.#generation = session.generation;
    this.#onSettled = onSettled;
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The lock is gone with the session: tell the holder (HARD-CASES 5). */
  revoke(why: string): void {
    this.#controller.abort(new ItemLockLostError(this.#lock, why));
    this.#onSettled(this);
  }

  ack(): Promise<void> {
    if (this.#settled !== undefined)
      return Promise.reject(new ItemLockLostError(this.#lock, 'already acked or nacked'));
    this.#settled = this.#ack().finally(() => this.#onSettled(this));
    return this.#settled;
  }

  nack(): Promise<void> {
    this.#settled ??= this.#nack().finally(() => this.#onSettled(this));
    return this.#settled;
  }

  /** Checked right before each send: a new generation means our lock is gone (maybe re-taken). */
  #isLost(): boolean {
    return this.signal.aborted || this.#session.generation !== this.#generation;
  }

  #throwIfLost(): void {
    if (this.signal.aborted) throw this.signal.reason;
    if (this.#session.generation !== this.#generation)
      throw new ItemLockLostError(this.#lock, 'the session was lost: the item will be redelivered');
  }

  async #ack(): Promise<void> {
    for (;;) {
      this.#throwIfLost();
      try {
        await this.#session.multi([
          { op: 'delete', path: this.#node },
          { op: 'delete', path: this.#lock },
        ]);
        return;
      } catch (err) {
        if (err instanceof MultiError)
          throw new ItemLockLostError(this.#lock, 'the lock or the item is gone', { cause: err });
        if (err instanceof SessionExpiredError)
          throw new ItemLockLostError(this.#lock, 'the session expired', { cause: err });
        if (!isRetryable(err)) throw err;
      }
      // The reply was lost. Our ephemeral lock only goes by our own delete or with the session:
      // if the session is the same and the lock is gone, the ack was applied.
      await this.#session.waitUntilConnected();
      this.#throwIfLost();
      if ((await this.#session.exists(this.#lock)) === null) return;
    }
  }

  async #nack(): Promise<void> {
    for (;;) {
      if (this.#isLost()) return; // the lock went with the session
      try {
        await this.#session.delete(this.#lock);
        return;
      } catch (err) {
        if (isNoNode(err) || err instanceof SessionExpiredError) return;
        if (!isRetryable(err)) throw err;
      }
      await this.#session.waitUntilConnected();
    }
  }
}
