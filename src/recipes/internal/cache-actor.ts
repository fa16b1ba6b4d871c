/**
 * The engine shared by ConfigWatch and ChildrenCache (STYLE §1): the life cycle of
 * cache-lifecycle.ts run on an Actor, with the reads of cache-reader.ts. A cache supplies only
 * what it reads and how a read changes its data:
 *
 * - `readAll()`: the full read of a (re)sync;
 * - `readFor(trigger)`: the read a trigger calls for, or undefined if the trigger is not about
 *   the cache's data (a grandchild under a recursive watch, a child-list change of a config);
 * - `apply(update)`: fold a read into the data and emit `change` if it really changed.
 *
 * The engine re-checks after every await (STYLE §5): a read that finished after the session
 * changed is dropped, because the new session's `connected` input brings a full read.
 */
import { Actor } from '../../actor/actor.js';
import { Deferred } from '../../actor/deferred.js';
import type { MailboxFailure } from '../../actor/mailbox.js';
import { RecipeClosedError, toError } from '../../session/errors.js';
import { backoffDelay, DEFAULT_RETRY } from '../../session/retry.js';
import type { Session } from '../../session/session.js';
import type { SessionStateEvent, WatchMessage } from '../../session/states.js';
import type { AddWatchMode } from '../../session/transport/types.js';
import { LatestValue } from './cache-latest.js';
import {
  CACHE_TRANSITIONS,
  type CacheInput,
  type CacheState,
  type CacheStep,
  cacheStep,
} from './cache-lifecycle.js';
import { CacheReader, isConnectionFailure, type WatchModeOption } from './cache-reader.js';

/** Events every cache emits besides its own `change`. */
export interface CacheBaseEvents {
  /**
   * A failure with nobody to reject: a read refused for a reason other than the connection
   * (NOAUTH...), or a value the cache could not accept. The cache keeps going.
   */
  error: [Error];
}

/** Waiting options of `start()` and `ready()` (STYLE §9). */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

export interface CacheActorOptions {
  readonly name: string;
  readonly session: Session;
  readonly root: string;
  readonly persistentMode: AddWatchMode;
  readonly watchMode: WatchModeOption;
}

export abstract class CacheActor<U, V, E extends CacheBaseEvents> extends Actor<
  CacheState,
  CacheInput,
  E
> {
  protected readonly session: Session;
  protected readonly reader: CacheReader;
  readonly #abort = new AbortController();
  readonly #latest: LatestValue<V>;
  readonly #waiters = new Set<Deferred<void>>();
  readonly #onSession = (event: SessionStateEvent) => this.#post({ kind: 'session', event });
  #synced = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  constructor(options: CacheActorOptions) {
    super({
      name: options.name,
      initial: { kind: 'idle' },
      transitions: CACHE_TRANSITIONS,
      generation: () => options.session.generation,
    });
    this.session = options.session;
    this.reader = new CacheReader({
      session: options.session,
      root: options.root,
      persistentMode: options.persistentMode,
      watchMode: options.watchMode,
      sink: (message) => this.#post(message),
      signal: this.#abort.signal,
    });
    this.#latest = new LatestValue(() => this.snapshot());
    this.session.on('state', this.#onSession);
  }

  /** True once the first full read is done (the data reflects ZooKeeper, maybe with lag). */
  get isReady(): boolean {
    return this.#synced;
  }

  /** Which watches the cache runs on: `persistent` (3.6+ addWatch) or `oneTime`. */
  get watchMode(): 'persistent' | 'oneTime' | 'unknown' {
    return this.reader.mode;
  }

  /**
   * Starts following ZooKeeper (idempotent); resolves after the first full read. Rejects with
   * RecipeClosedError after `close()`, or with the signal's reason / a TimeoutError.
   */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.mailbox.isClosed) return Promise.reject(new RecipeClosedError(this.name));
    this.mailbox.post({ kind: 'start' });
    return this.ready(options);
  }

  /** Resolves after the first full read (does not start the cache). */
  ready(options: WaitOptions = {}): Promise<void> {
    if (this.mailbox.isClosed) return Promise.reject(new RecipeClosedError(this.name));
    if (this.#synced) return Promise.resolve();
    const waiter: Deferred<void> = new Deferred({
      ...options,
      onCancel: () => this.#waiters.delete(waiter),
    });
    this.#waiters.add(waiter);
    return waiter.promise;
  }

  /**
   * The current state, then the newest one after each change (slow consumers skip to the
   * newest). Ends when the cache closes; `break` cleans up.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<V> {
    return this.#latest.iterate();
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Stops following ZooKeeper, ends iterators, rejects pending `ready()` calls. Idempotent.
   * Does not wait for a read that is in flight. The persistent watch, if any, stays registered
   * until the session ends: Session can only remove every watch of a path, which would also
   * remove those of other recipes on the same session.
   */
  async close(): Promise<void> {
    this.#abort.abort(new RecipeClosedError(this.name));
    await this.mailbox
      .call(() => this.#shutdown('closed by the user'))
      .catch((err: unknown) => {
        if (!(err instanceof RecipeClosedError)) throw err;
      });
    await this.mailbox.close();
  }

  /** The full read of a (re)sync. */
  protected abstract readAll(): Promise<U>;
  /** The read `trigger` calls for; undefined when the trigger is not about the cached data. */
  protected abstract readFor(trigger: WatchMessage): Promise<U | undefined>;
  /** Folds a read into the data; emits `change` and calls `changed()` on a real change. */
  protected abstract apply(update: U): void;
  /** The value iterators yield. */
  protected abstract snapshot(): V;

  /** Tells iterators that the data changed. */
  protected changed(): void {
    this.#latest.changed();
  }

  protected async handle(input: CacheInput): Promise<void> {
    // Inputs still queued when `close()` began are dropped, not run (close does not wait for them).
    if (this.#abort.signal.aborted) return;
    if (input.kind === 'retry' && this.isStale(input.stamp)) return;
    const step: CacheStep = cacheStep(this.state, input, this.session.generation);
    switch (step.effect) {
      case 'none':
        return;
      case 'suspend':
        this.transition(step.next, step.next.since);
        return;
      case 'close':
        this.#shutdown('session closed');
        return;
      case 'sync':
        this.transition(step.next, step.reason);
        return this.#read(async () => {
          await this.reader.arm();
          return this.readAll();
        });
      case 'refresh':
        return this.#read(() => this.readFor(step.trigger));
      default: {
        const never: never = step;
        throw new Error(`unknown cache step ${JSON.stringify(never)}`);
      }
    }
  }

  protected onFailure(failure: MailboxFailure<CacheInput>): void {
    this.#emitError(failure.error);
  }

  /** Runs a read, then applies it unless the cache moved on meanwhile (STYLE §5). */
  async #read(read: () => Promise<U | undefined>): Promise<void> {
    const stamp = this.stamp();
    let update: U | undefined;
    try {
      update = await read();
    } catch (err) {
      if (this.#abort.signal.aborted || this.isStale(stamp)) return;
      this.#failed(err);
      return;
    }
    if (this.isStale(stamp)) return;
    if (update !== undefined) this.apply(update);
    const state = this.state;
    if (state.kind !== 'syncing') return;
    this.#failures = 0;
    this.transition({ kind: 'watching', generation: state.generation }, 'in sync');
    if (this.#synced) return;
    this.#synced = true;
    this.changed();
    for (const waiter of this.#waiters) waiter.resolve();
    this.#waiters.clear();
  }

  /**
   * A read failed: read everything again after a backoff. A connection failure is followed by
   * a session state that resyncs anyway (the retry is then stale and dropped), so only other
   * failures are reported.
   */
  #failed(err: unknown): void {
    if (!isConnectionFailure(err)) this.#emitError(err);
    const state = this.state;
    if (state.kind === 'watching')
      this.transition({ kind: 'syncing', generation: state.generation }, 'read failed');
    const stamp = this.stamp();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(
      () => this.#post({ kind: 'retry', stamp }),
      backoffDelay(DEFAULT_RETRY, Math.min(this.#failures++, 6)),
    );
  }

  #shutdown(reason: string): void {
    if (this.state.kind === 'closed') return;
    this.transition({ kind: 'closed' }, reason);
    this.#abort.abort(new RecipeClosedError(this.name));
    this.session.off('state', this.#onSession);
    clearTimeout(this.#retryTimer);
    for (const waiter of this.#waiters) waiter.reject(new RecipeClosedError(this.name));
    this.#waiters.clear();
    this.#latest.end();
    void this.mailbox.close(); // not awaited: we are inside a mailbox turn
  }

  /** Inputs from outside (triggers, session states, timers) after close are dropped, not errors. */
  #post(input: CacheInput): void {
    if (!this.mailbox.isClosed) this.mailbox.post(input);
  }

  #emitError(err: unknown): void {
    const error = toError(err);
    (this as unknown as Actor<CacheState, CacheInput, CacheBaseEvents>).emit('error', error);
  }
}
