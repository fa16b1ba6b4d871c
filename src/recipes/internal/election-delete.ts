/**
 * Deletes an own ephemeral node until it is gone (HARD-CASES 10; CURATOR-678, kazoo #732).
 *
 * A delete that fails with a connection loss may or may not have been applied, and a node left
 * behind keeps its place in line (for an election: the leadership) until the session ends. So a
 * failed delete is retried once the connection is back. NONODE counts as done, and so do the end
 * of the session (its ephemeral nodes go with it) and a closed session.
 */
import {
  isRetryable,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
} from '../../session/errors.js';
import { backoffDelay, DEFAULT_RETRY } from '../../session/retry.js';
import type { Session } from '../../session/session.js';

export interface Deletion {
  /** Settles after the first attempt, whatever its outcome (a release never hangs). */
  readonly firstAttempt: Promise<void>;
  /** Settles when the node is gone; rejects only for an error no retry can fix (e.g. NOAUTH). */
  readonly done: Promise<void>;
}

/** Deletes `path`, made under session `generation`, retrying in the background. */
export function deleteUntilGone(session: Session, path: string, generation: number): Deletion {
  let markFirst!: () => void;
  const firstAttempt = new Promise<void>((resolve) => {
    markFirst = resolve;
  });
  const done = (async () => {
    try {
      for (let attempt = 0; ; attempt++) {
        // The node of an ended session is gone with it; a later session must not touch the name.
        if (session.isClosed || session.generation !== generation) return;
        try {
          await session.delete(path);
          return;
        } catch (err) {
          if (err instanceof ZkError && err.code === 'NONODE') return;
          if (err instanceof SessionClosedError || err instanceof SessionExpiredError) return;
          if (!isRetryable(err)) throw err;
        }
        markFirst();
        await session
          .waitUntilConnected({ timeoutMs: session.negotiatedTimeoutMs || 10_000 })
          .catch(() => undefined);
        await new Promise((r) => setTimeout(r, backoffDelay(DEFAULT_RETRY, Math.min(attempt, 6))));
      }
    } finally {
      markFirst();
    }
  })();
  return { firstAttempt, done };
}
