/**
 * The reads of a cache (ConfigWatch, ChildrenCache), each leaving behind the watch that tells
 * the cache about the next change, whichever kind of watch the server and transport offer.
 *
 * - Persistent (ZooKeeper 3.6+ on the wire transport): one `addWatch` on the root per session;
 *   after it, plain reads suffice and no change goes unannounced between a trigger and the
 *   re-arm (one-time watches coalesce fast changes, HARD-CASES 12). It survives reconnects
 *   (SetWatches2) and is added again on every new session. A transport that lacks it (native)
 *   rejects with UNIMPLEMENTED: the reader then falls back to one-time watches for good.
 * - One-time: every read the cache depends on sets a watch. A ledger records which one-time
 *   watches are armed in the current session, so that a resync after a reconnect (when they
 *   survived) does not register another watcher for the same path: each registration is a
 *   separate client-side watcher that would fire, and stay in memory, on its own. The ledger is
 *   updated when a trigger is delivered, not when the cache handles it, so a read issued after
 *   a trigger arrived always re-arms.
 *
 * Every read races the cache's AbortSignal: `close()` must not wait for a read that Session is
 * retrying while the connection is down.
 */
import {
  isRetryable,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
} from '../../session/errors.js';
import type { Session } from '../../session/session.js';
import type { WatchMessage, WatchSink } from '../../session/states.js';
import type { AddWatchMode, Stat } from '../../session/transport/types.js';

/** `auto`: persistent watches where offered, else one-time; `oneTime`: always one-time. */
export type WatchModeOption = 'auto' | 'oneTime';

export interface NodeRead {
  readonly data: Buffer;
  readonly stat: Stat;
}

export interface CacheReaderOptions {
  readonly session: Session;
  /** The path whose changes the cache follows. */
  readonly root: string;
  /** `persistent`: the root alone; `persistentRecursive`: the root and everything below it. */
  readonly persistentMode: AddWatchMode;
  readonly watchMode: WatchModeOption;
  /** Where triggers go (the cache's mailbox). */
  readonly sink: WatchSink;
  /** Aborted by `close()`: pending reads reject with its reason at once. */
  readonly signal: AbortSignal;
}

type WatchKey = `${'data' | 'child' | 'persistent'}:${string}`;

export class CacheReader {
  readonly #options: CacheReaderOptions;
  readonly #sink: WatchSink;
  #persistent: boolean | undefined;
  /** The session generation the ledger is about: watches die with their session. */
  #generation = -1;
  readonly #armed = new Set<WatchKey>();
  /** Rejecters of the reads in flight: one abort listener for all (a full read has hundreds). */
  readonly #pending = new Set<(reason: unknown) => void>();

  constructor(options: CacheReaderOptions) {
    this.#options = options;
    this.#persistent = options.watchMode === 'oneTime' ? false : undefined;
    this.#sink = (message) => {
      this.#fired(message);
      options.sink(message);
    };
    options.signal.addEventListener(
      'abort',
      () => {
        for (const reject of this.#pending) reject(options.signal.reason);
      },
      { once: true },
    );
  }

  /** `persistent` once addWatch succeeded, `oneTime` once it was refused or not wanted. */
  get mode(): 'persistent' | 'oneTime' | 'unknown' {
    if (this.#persistent === undefined) return 'unknown';
    return this.#persistent ? 'persistent' : 'oneTime';
  }

  /** Before a full read: makes sure the persistent watch is set in this session (if offered). */
  async arm(): Promise<void> {
    if (this.#persistent === false) return;
    const { session, root, persistentMode } = this.#options;
    const key: WatchKey = `persistent:${root}`;
    this.#ledger();
    if (this.#armed.has(key)) return;
    await this.#watching(key, async () => {
      try {
        await session.addWatch(root, persistentMode, this.#sink);
        this.#persistent = true;
      } catch (err) {
        if (!(err instanceof ZkError && err.code === 'UNIMPLEMENTED')) throw err;
        this.#persistent = false;
      }
    });
  }

  /**
   * Data and stat of `path`, or undefined if there is no such node. With `watchMissing`, a
   * missing node is watched for its creation (exists-watch) in one-time mode.
   */
  async getData(path: string, options: { watchMissing: boolean }): Promise<NodeRead | undefined> {
    const { session } = this.#options;
    for (;;) {
      try {
        return await this.#watching(`data:${path}`, (watch) =>
          session.getData(path, watch ? { watch: this.#sink } : {}),
        );
      } catch (err) {
        if (!isNoNode(err)) throw err;
      }
      // getData leaves no watch on a missing node; exists does (Curator tech note 9).
      if (!options.watchMissing || !(await this.#watchCreation(path))) return undefined;
    }
  }

  /** The children of `path`, or undefined if it does not exist (then watched for its creation). */
  async getChildren(path: string): Promise<string[] | undefined> {
    const { session } = this.#options;
    for (;;) {
      try {
        const { children } = await this.#watching(`child:${path}`, (watch) =>
          session.getChildren(path, watch ? { watch: this.#sink } : {}),
        );
        return children;
      } catch (err) {
        if (!isNoNode(err)) throw err;
      }
      if (!(await this.#watchCreation(path))) return undefined;
    }
  }

  /** True when a change of `path`'s data will be announced without another read. */
  isWatchingData(path: string): boolean {
    this.#ledger();
    return this.#persistent === true || this.#armed.has(`data:${path}`);
  }

  /**
   * One-time mode: an exists-watch on a missing node. True if the node exists after all
   * (created meanwhile): the caller reads again.
   */
  async #watchCreation(path: string): Promise<boolean> {
    // An exists-watch is set whether or not the node exists; on a node that exists it fires on
    // the same events as a data watch, so one ledger key covers both.
    const stat = await this.#watching(`data:${path}`, (watch) =>
      this.#options.session.exists(path, watch ? { watch: this.#sink } : {}),
    );
    return stat !== null;
  }

  /**
   * Runs `call`, telling it whether to set a one-time watch for `key` (none when one is armed,
   * or in persistent mode). The key is marked armed before the call goes out, not after it
   * returns: the transport can deliver the watch's trigger before our continuation runs, and a
   * mark made then would outlive the watch. A failed call (NONODE: getData sets no watch;
   * connection loss: unknown) unmarks it, so the next read sets one.
   */
  async #watching<T>(key: WatchKey, call: (watch: boolean) => Promise<T>): Promise<T> {
    const generation = this.#ledger();
    const watch =
      key.startsWith('persistent:') || (this.#persistent === false && !this.#armed.has(key));
    if (watch) this.#armed.add(key);
    try {
      return await this.#guard(call(watch));
    } catch (err) {
      if (watch && generation === this.#ledger()) this.#armed.delete(key);
      throw err;
    }
  }

  /** Clears the ledger when the session changed; returns the generation of the call about to go out. */
  #ledger(): number {
    const generation = this.#options.session.generation;
    if (generation !== this.#generation) {
      this.#armed.clear();
      this.#generation = generation;
    }
    return generation;
  }

  /** A one-time watch fired (or was removed): it is no longer armed. */
  #fired(message: WatchMessage): void {
    if (message.generation !== this.#ledger()) return;
    const { path, type } = message;
    if (type === 'created' || type === 'dataChanged' || type === 'dataWatchRemoved')
      this.#armed.delete(`data:${path}`);
    if (type === 'childrenChanged' || type === 'childWatchRemoved')
      this.#armed.delete(`child:${path}`);
    if (type === 'deleted') {
      this.#armed.delete(`data:${path}`);
      this.#armed.delete(`child:${path}`);
    }
    if (type === 'persistentWatchRemoved') this.#armed.delete(`persistent:${path}`);
  }

  /** `promise`, unless the signal aborts first (its outcome is then dropped, never unhandled). */
  #guard<T>(promise: Promise<T>): Promise<T> {
    const { signal } = this.#options;
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) reject(signal.reason);
      else this.#pending.add(reject);
      promise.then(resolve, reject).finally(() => this.#pending.delete(reject));
    });
  }
}

function isNoNode(err: unknown): boolean {
  return err instanceof ZkError && err.code === 'NONODE';
}

/**
 * Failures that a session state change repairs or ends (a resync or a close follows it), so
 * not worth an `error` event.
 */
export function isConnectionFailure(err: unknown): boolean {
  return (
    isRetryable(err) || err instanceof SessionExpiredError || err instanceof SessionClosedError
  );
}
