/**
 * ReadWriteLock: readers share, writers exclude, in Curator's InterProcessReadWriteLock layout
 * (CURATOR-COMPAT.md): `<path>/_c_<uuid>-__WRIT__<seq>` and `<path>/_c_<uuid>-__READ__<seq>`,
 * one line ordered by the sequence after either name.
 *
 * - The write lock holds at index 0 of the whole line, and otherwise watches the node just
 *   before it (a reader or a writer).
 * - A read lock holds while it is ahead of the first writer in line, and otherwise watches that
 *   first writer (Curator's rule: later readers queue behind a waiting writer, so writers are
 *   not starved). As in Curator, the owner of the write lock may also take the read lock.
 *
 * Each lock is Mutex-like: re-entrant per owner, `acquire`/`tryAcquire`, LockHandles with a
 * signal and a fencing token.
 *
 * Session states (STYLE §6), for each of the two locks as for Mutex:
 * - `suspended`: a holder's `signal` aborts with LockLostError('suspended') (unless
 *   `abortOn: 'lost'`); its node stays until released. Waiters keep their place.
 * - `reconnected`: waiters list again and re-arm their watch; a holder's node is checked.
 * - `lost`: a holder's signal aborts with LockLostError('expired') and `lost` is emitted first;
 *   waiters get in line again on the next session.
 */
import type { Session } from '../session/session.js';
import { ContendedLock, type LockOptions } from './internal/contended-lock.js';
import { type ContentionDriver, firstInLine } from './internal/contenders.js';

const WRITE = '__WRIT__';
const READ = '__READ__';
const LINE = [WRITE, READ] as const;

/** A reader's rule; `ownsWriteLock` lets the write lock's holder read too. */
function aheadOfWriters(ownsWriteLock: () => boolean): ContentionDriver {
  return {
    marker: READ,
    markers: LINE,
    decide(line, own) {
      if (ownsWriteLock()) return { holds: true };
      const firstWriter = line.findIndex((n) => n.name.includes(WRITE));
      const writer = line[firstWriter];
      return writer === undefined || own < firstWriter
        ? { holds: true }
        : { holds: false, watch: writer.name };
    },
  };
}

export class ReadWriteLock {
  readonly path: string;
  readonly #write: ContendedLock;
  readonly #read: ContendedLock;

  constructor(session: Session, path: string, options: LockOptions = {}) {
    this.#write = new ContendedLock(session, path, firstInLine(WRITE, LINE), options, 'WriteLock');
    this.#read = new ContendedLock(
      session,
      path,
      aheadOfWriters(() => this.#write.isHeld),
      options,
      'ReadLock',
    );
    this.path = path;
  }

  /** The shared lock. */
  readLock(): ContendedLock {
    return this.#read;
  }

  /** The exclusive lock. */
  writeLock(): ContendedLock {
    return this.#write;
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Closes both locks: waiting acquires reject, held ones are revoked and deleted. */
  async close(): Promise<void> {
    await Promise.all([this.#read.close(), this.#write.close()]);
  }
}
