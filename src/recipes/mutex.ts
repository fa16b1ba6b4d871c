/**
 * Mutex: a re-entrant distributed lock, in Curator's InterProcessMutex layout so that Java
 * processes take part in the same lock (CURATOR-COMPAT.md): contenders are
 * `<path>/_c_<uuid>-lock-<seq>` EPHEMERAL_SEQUENTIAL nodes (parents as containers), the first in
 * line holds, and each waiter watches only the node just before it.
 *
 * Promise: at most one holder that has not been told it lost the lock. Re-entrant per Mutex
 * instance (the owner): `acquire()` while holding resolves another handle at once, and the node
 * is deleted when the last handle is released.
 *
 * Session states (STYLE §6):
 * - `suspended`: the holder's `signal` aborts with LockLostError('suspended') and `lost` is
 *   emitted (unless `abortOn: 'lost'`); the node stays until the holder releases. Waiters keep
 *   their place.
 * - `reconnected`: waiters list again and re-arm their watch; the holder's node is checked to
 *   still exist and be ours (if not: LockLostError('deleted')).
 * - `lost`: the holder's signal aborts with LockLostError('expired') and `lost` is emitted before
 *   anything else; waiters get in line again on the next session.
 *
 * @example
 * ```ts
 * const mutex = new Mutex(session, '/locks/orders');
 * {
 *   await using lock = await mutex.acquire({ timeoutMs: 10_000 });
 *   await doWork({ signal: lock.signal, fencingToken: lock.fencingToken });
 * } // released here
 * ```
 */
import type { Session } from '../session/session.js';
import { ContendedLock, type LockOptions } from './internal/contended-lock.js';
import { firstInLine } from './internal/contenders.js';

export type {
  AcquireOptions,
  LockEvents,
  LockInfo,
  LockOptions,
} from './internal/contended-lock.js';

export class Mutex extends ContendedLock {
  constructor(session: Session, path: string, options: LockOptions = {}) {
    super(session, path, firstInLine('lock-'), options, 'Mutex');
  }
}
