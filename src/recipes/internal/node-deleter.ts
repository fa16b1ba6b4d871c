/**
 * Deletes a recipe's own nodes (lock nodes, leases) until they are gone (HARD-CASES 10).
 *
 * A delete that fails with a connection loss may or may not have been applied, and a node left
 * behind holds a lock forever (CURATOR-678, CURATOR-486, kazoo #732). So a failed delete is
 * retried in the background, after the connection is back, until the node is gone: NONODE
 * counts as done (someone, or the end of the session, deleted it first), and so does a closed
 * session (closing a session removes its ephemeral nodes). Every pending delete is tracked, so
 * that `close()` and tests can wait for `settled()`.
 */
import {
  isRetryable,
  SessionClosedError,
  SessionExpiredError,
  toError,
  ZkError,
} from '../../session/errors.js';
import { backoffDelay, DEFAULT_RETRY } from '../../session/retry.js';
import type { Session } from '../../session/session.js';

export class NodeDeleter {
  readonly #session: Session;
  readonly #onError: (error: Error) => void;
  readonly #pending = new Set<Promise<void>>();

  /** `onError` hears a delete that can never succeed (e.g. NOAUTH); it is not retried. */
  constructor(session: Session, onError: (error: Error) => void) {
    this.#session = session;
    this.#onError = onError;
  }

  /** How many deletes are still being retried. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Deletes `path`. Resolves after the first attempt, whatever its outcome: a failed one goes
   * on in the background (see `settled()`), so a release never hangs on a dead connection.
   */
  delete(path: string): Promise<void> {
    let firstAttempt!: () => void;
    const first = new Promise<void>((resolve) => {
      firstAttempt = resolve;
    });
    const run = this.#deleteUntilGone(path, firstAttempt).finally(() => {
      this.#pending.delete(run);
      firstAttempt();
    });
    this.#pending.add(run);
    return first;
  }

  /** Resolves once every delete started so far (and any started meanwhile) is done. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }

  async #deleteUntilGone(path: string, firstAttempt: () => void): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#session.delete(path);
        return;
      } catch (err) {
        if (err instanceof ZkError && err.code === 'NONODE') return;
        if (err instanceof SessionClosedError || this.#session.isClosed) return;
        // After an expiry the node went with the old session; the retry on the next session
        // then hears NONODE. Anything else retryable: the delete may not have been applied.
        if (!isRetryable(err) && !(err instanceof SessionExpiredError)) {
          this.#onError(toError(err));
          return;
        }
      } finally {
        firstAttempt();
      }
      await this.#session
        .waitUntilConnected({ timeoutMs: this.#session.negotiatedTimeoutMs || 10_000 })
        .catch(() => undefined);
      await new Promise((r) => setTimeout(r, backoffDelay(DEFAULT_RETRY, Math.min(attempt, 6))));
    }
  }
}
