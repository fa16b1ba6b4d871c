/**
 * A promise that an actor settles later, and that the caller's AbortSignal or a timeout can end
 * first (STYLE §9).
 *
 * Waiting is a state, never an await inside a handler: `acquire()` hands its caller
 * `deferred.promise`, the actor keeps the Deferred in its `waiting` state, and a later message
 * (the predecessor's node is gone) resolves it. Meanwhile the caller may give up. Two races
 * follow, and the API makes both visible:
 *
 * - Giving up must undo work (delete the waiter's znode): `onCancel` tells the actor, which
 *   should `post` a message to do it in its own turn.
 * - The actor may grant just after the caller gave up: `resolve()` then returns false, and the
 *   actor must take back what nobody received (release the lock it just got).
 *
 * ```ts
 * acquire(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Lease> {
 *   const waiter: Deferred<Lease> = new Deferred({
 *     ...options,
 *     onCancel: () => this.mailbox.post({ kind: 'cancel', waiter }),
 *   });
 *   this.mailbox.post({ kind: 'acquire', waiter });
 *   return waiter.promise;
 * }
 * ```
 *
 * On abort the promise rejects with `signal.reason`; on timeout with a `DOMException` named
 * `TimeoutError`, the same as `AbortSignal.timeout()` gives, so callers test one shape either way.
 * The abort listener and the timer are removed as soon as the Deferred settles, by any path.
 */
import { InvalidArgumentError } from '../session/errors.js';

/** The longest delay `setTimeout` honours; a longer one would fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface DeferredOptions {
  /** Rejects the promise with `signal.reason` when aborted (at once if already aborted). */
  readonly signal?: AbortSignal;
  /** Rejects with a `TimeoutError` after this many ms. `undefined` or `Infinity`: no limit. */
  readonly timeoutMs?: number;
  /**
   * Called once when the signal or the timeout ended the wait, on a later microtask (never
   * inside the constructor, so it may refer to the Deferred being built), with the reason the
   * promise rejected with. Not called when the owner settles it. It must not throw.
   */
  readonly onCancel?: (reason: unknown) => void;
}

export class Deferred<T> {
  readonly promise: Promise<T>;
  #resolve!: (value: T) => void;
  #reject!: (reason: unknown) => void;
  #settled = false;
  /** Removes the abort listener and the timer; replaced once they exist. */
  #cleanup: () => void = () => undefined;

  constructor(options: DeferredOptions = {}) {
    const { signal, timeoutMs, onCancel } = options;
    if (
      timeoutMs !== undefined &&
      timeoutMs !== Number.POSITIVE_INFINITY &&
      !(timeoutMs >= 0 && timeoutMs <= MAX_TIMEOUT_MS)
    ) {
      throw new InvalidArgumentError(
        'timeoutMs',
        `expected 0..${MAX_TIMEOUT_MS} or Infinity, got ${timeoutMs}`,
      );
    }
    this.promise = new Promise<T>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });

    const cancel = (reason: unknown): void => {
      if (!this.reject(reason)) return;
      if (onCancel !== undefined) queueMicrotask(() => onCancel(reason));
    };
    if (signal?.aborted) {
      cancel(signal.reason);
      return;
    }
    const onAbort = (): void => cancel(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      timeoutMs === undefined || timeoutMs === Number.POSITIVE_INFINITY
        ? undefined
        : setTimeout(
            () => cancel(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError')),
            timeoutMs,
          );
    this.#cleanup = () => {
      signal?.removeEventListener('abort', onAbort);
      clearTimeout(timer);
    };
  }

  /** True once resolved or rejected, by the owner, the signal or the timeout. */
  get isSettled(): boolean {
    return this.#settled;
  }

  /** Fulfils the promise. Returns false if it was already settled (the caller gave up first). */
  resolve(value: T): boolean {
    if (!this.#settle()) return false;
    this.#resolve(value);
    return true;
  }

  /** Rejects the promise. Returns false if it was already settled. */
  reject(reason: unknown): boolean {
    if (!this.#settle()) return false;
    this.#reject(reason);
    return true;
  }

  /** Marks the Deferred settled and drops its listener and timer; false if it already was. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#cleanup();
    return true;
  }
}
