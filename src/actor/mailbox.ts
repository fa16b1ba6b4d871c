/**
 * The mailbox of an actor: one message at a time, in arrival order.
 *
 * Every input of a recipe (user calls, watch triggers, session states) goes through its mailbox,
 * so handlers never interleave and recipe state needs no locks (STYLE §4). It is a p-queue with
 * concurrency 1; the rules on top of it are:
 *
 * - Order is strictly FIFO across `post`, `ask` and `call`: they share one queue.
 * - A handler never runs inside the `post`/`ask`/`call` that enqueued it, only on a later
 *   microtask, so a caller's code after `post()` always runs before the handler.
 * - A failing handler never stops the mailbox. A `post`ed message has no caller to tell, so its
 *   failure goes to `onError`; an `ask`/`call` rejects its own promise instead (and is not also
 *   reported, so each failure is seen exactly once).
 * - After `close()` nothing is accepted: `ask`/`call` reject with `RecipeClosedError`, and a
 *   `post` is dropped and reported to `onError` with a `RecipeClosedError`.
 *
 * Deadlock: a handler must never `await` an `ask`, `call`, `close` or `onIdle` of its own
 * mailbox; it would wait for its own turn to end. Use `post` to send itself a follow-up.
 */
import PQueue from 'p-queue';
import { RecipeClosedError } from '../session/errors.js';

/** A message whose handler failed, or that was refused because the mailbox was closed. */
export interface MailboxFailure<M> {
  readonly message: M;
  /** What the handler threw or rejected with, or a `RecipeClosedError` for a refused `post`. */
  readonly error: unknown;
}

export interface MailboxOptions<M> {
  /** Names the owner in `RecipeClosedError` messages, e.g. `Mutex /locks/a`. */
  readonly name: string;
  /** Handles one message; the next one starts only after it returns or settles. */
  readonly handler: (message: M) => void | Promise<void>;
  /**
   * Hears failures of `post`ed messages. It runs inside the mailbox turn, so it must not throw;
   * if it does, the error is rethrown on a microtask (an uncaught exception: a bug to see, not
   * to swallow) and the mailbox still goes on.
   */
  readonly onError: (failure: MailboxFailure<M>) => void;
}

export interface CloseOptions {
  /**
   * Drop what is still queued instead of running it: queued `ask`/`call` promises reject with
   * `RecipeClosedError`, queued `post`s are dropped silently (the closer asked for it).
   * The message already running finishes either way. Default: false (run everything queued).
   */
  readonly discard?: boolean;
}

export class Mailbox<M> {
  readonly #queue = new PQueue({ concurrency: 1 });
  readonly #name: string;
  readonly #handler: (message: M) => void | Promise<void>;
  readonly #onError: (failure: MailboxFailure<M>) => void;
  #closed = false;
  /** Set by `close({ discard: true })`: turns still queued end without running. */
  #discarding = false;

  constructor(options: MailboxOptions<M>) {
    this.#name = options.name;
    this.#handler = options.handler;
    this.#onError = options.onError;
  }

  /** True once `close()` was called. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Enqueues a message without waiting for it. Returns false when the mailbox is closed; the
   * message is then dropped and reported to `onError`.
   */
  post(message: M): boolean {
    if (this.#closed) {
      this.#report({ message, error: new RecipeClosedError(this.#name) });
      return false;
    }
    void this.#enqueue(async (discarded) => {
      if (discarded) return;
      try {
        await this.#handler(message);
      } catch (error) {
        this.#report({ message, error });
      }
    });
    return true;
  }

  /** Enqueues a message; settles as its handler does (resolves, or rejects with its error). */
  ask(message: M): Promise<void> {
    return this.call(() => this.#handler(message));
  }

  /**
   * Runs `fn` in the mailbox's turn, ordered with the messages, and settles with its result.
   * This is how a user call that needs an answer (e.g. `release()`) is serialised.
   */
  call<T>(fn: () => T | Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new RecipeClosedError(this.#name));
    return this.#enqueue((discarded) => {
      if (discarded) throw new RecipeClosedError(this.#name);
      return fn();
    });
  }

  /**
   * Stops accepting messages and resolves when the mailbox is idle: everything queued has run
   * (or was discarded, see `CloseOptions`). Idempotent. Once it resolves, no handler can run
   * again, so the owner may tear down its state outside the mailbox with nothing interleaving.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closed = true;
    if (options.discard === true) this.#discarding = true;
    return this.onIdle();
  }

  /** Resolves when nothing is queued or running. */
  onIdle(): Promise<void> {
    return this.#queue.onIdle();
  }

  /**
   * All turns go through here, so FIFO holds across `post`, `ask` and `call`. `turn` learns
   * whether `close({ discard: true })` came while it was queued.
   */
  #enqueue<T>(turn: (discarded: boolean) => T | Promise<T>): Promise<T> {
    return this.#queue.add(async () => {
      // p-queue starts a task synchronously when idle; yield first so the handler never runs
      // inside the caller's `post()`. The turn is already ours, so order is unaffected.
      await null;
      return turn(this.#discarding);
    });
  }

  #report(failure: MailboxFailure<M>): void {
    try {
      this.#onError(failure);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}
