/**
 * Real server-side session expiry for tests.
 *
 * ZooKeeper has no "expire this session" command. A second client that attaches to the session
 * (same id and password) and closes it makes the server end the session, exactly as an expiry
 * does: ephemeral nodes go, watches are dropped, and the first client is told "expired" when it
 * next talks to the server.
 *
 * The attach-and-close runs in a child process while this process waits synchronously
 * (spawnSync). Done in one process, it races: while the second handle connects, the victim's
 * handle (in the same event loop) reconnects and wins its session back (2 of 20 runs measured).
 * With the victim's event loop blocked it cannot act until the session is gone (20 of 20).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SessionCredentials } from '../session/transport/types.js';
import { ExpireSessionError } from './errors.js';

/**
 * The child script lives in `scripts/`, two levels above this module both as
 * `src/testing/expire-session.ts` and as the built `dist/testing/expire-session.js`; the package
 * ships `scripts/`.
 */
const CHILD_SCRIPT = fileURLToPath(new URL('../../scripts/expire-session.mjs', import.meta.url));
const DEFAULT_TIMEOUT_MS = 10_000;

/** What `expireSession` needs of a session: where it lives and who it is. */
export interface ExpirableSession {
  readonly connectString: string;
  /** Undefined until the session has connected once. */
  readonly credentials: SessionCredentials | undefined;
}

export interface ExpireSessionOptions {
  /** How long to try to reach the server (default 10 s). The event loop is blocked meanwhile. */
  timeoutMs?: number;
}

/**
 * Expires `session` on the server. Resolves once the server has closed it; the session's own
 * client learns it when it next hears from the server. Blocks the event loop for the ~100 ms
 * it takes, on purpose (see above). Rejects with ExpireSessionError when the server cannot be
 * reached or does not know the session (already expired, or a wrong password).
 */
export async function expireSession(
  session: ExpirableSession,
  options: ExpireSessionOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const credentials = session.credentials;
  if (credentials === undefined) {
    throw new ExpireSessionError('the session has no credentials yet (it never connected)');
  }
  if (credentials.password.length !== 16) {
    throw new ExpireSessionError(
      `a session password has 16 bytes, this one ${credentials.password.length}`,
    );
  }
  // Session ids are signed 64-bit on the wire; the binding parses them as unsigned hex.
  const idHex = BigInt.asUintN(64, credentials.sessionId).toString(16);
  const result = spawnSync(
    process.execPath,
    [
      CHILD_SCRIPT,
      session.connectString,
      idHex,
      credentials.password.toString('hex'),
      String(timeoutMs),
    ],
    // The child gives up after timeoutMs itself; this guards against one that hangs anyway.
    { encoding: 'utf8', timeout: timeoutMs + 5_000 },
  );
  if (result.error !== undefined) {
    throw new ExpireSessionError(`could not run ${CHILD_SCRIPT}: ${result.error.message}`, {
      cause: result.error,
    });
  }
  if (result.status !== 0) {
    const reason = result.stderr.trim() || `exit ${result.status ?? result.signal}`;
    throw new ExpireSessionError(`session 0x${idHex} was not expired: ${reason}`);
  }
}
