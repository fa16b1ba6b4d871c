/**
 * The public shape shared by Mutex and the two locks of a ReadWriteLock: a contention engine
 * (contention.ts) with a driver, handed out as LockHandles, and its events re-emitted.
 * Session states are the engine's business; see its header.
 */
import { hostname } from 'node:os';
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, NotOwnerError } from '../../session/errors.js';
import type { Session } from '../../session/session.js';
import type { LockLostError } from '../lock-errors.js';
import { LockHandle } from '../lock-handle.js';
import type { ContentionDriver } from './contenders.js';
import { Contention, type Tenure } from './contention.js';

export interface AcquireOptions {
  /** Gives up waiting: rejects with `signal.reason` and deletes the waiter's node. */
  signal?: AbortSignal;
  /** Gives up after this many ms: rejects with a DOMException named `TimeoutError`. */
  timeoutMs?: number;
}

export interface LockOptions {
  /** Data of the lock node; free-form (Curator writes the IP address). Default: the hostname. */
  data?: Uint8Array | string;
  /**
   * When a holder's signal aborts: on `suspended` (default: a holder cut off from ZooKeeper
   * cannot know whether it still holds, HARD-CASES 3) or only on `lost` (session-only policy).
   */
  abortOn?: 'suspended' | 'lost';
}

/** What the events say about a tenure. */
export interface LockInfo {
  node: string;
  fencingToken: bigint;
}

export interface LockEvents {
  /** This owner got the lock (emitted once per node, not for re-entries). */
  acquired: [LockInfo];
  /** This owner gave the lock back (the last entry); the node is being deleted. */
  released: [LockInfo];
  /** The holder's signal aborted: lost, or uncertain while suspended. */
  lost: [LockLostError];
  /** A background failure with no caller to tell. */
  error: [Error];
}

export class ContendedLock extends EventEmitter<LockEvents> {
  /** The lock path. */
  readonly path: string;
  readonly #session: Session;
  readonly #engine: Contention;

  constructor(
    session: Session,
    path: string,
    driver: ContentionDriver,
    options: LockOptions,
    name: string,
  ) {
    super();
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', 'expected an object');
    this.path = path;
    this.#session = session;
    this.#engine = new Contention({
      session,
      path,
      driver,
      data: options.data ?? hostname(),
      abortOn: options.abortOn ?? 'suspended',
      name: `${name} ${path}`,
    });
    const info = (t: Tenure): LockInfo => ({ node: t.node, fencingToken: t.fencingToken });
    this.#engine.on('acquired', (t) => this.emit('acquired', info(t)));
    this.#engine.on('released', (t) => this.emit('released', info(t)));
    this.#engine.on('lost', (_t, error) => this.emit('lost', error));
    this.#engine.on('error', (error) => this.emit('error', error));
  }

  /** True while this owner holds the lock and its signal has not aborted. */
  get isHeld(): boolean {
    return this.#engine.isHolding;
  }

  /**
   * Waits for the lock. Re-entrant: while this owner holds it, resolves at once with a new
   * handle, and the node goes when every handle is released.
   */
  async acquire(options: AcquireOptions = {}): Promise<LockHandle> {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', 'expected an object');
    return this.#handle(await this.#engine.enter(options));
  }

  /** Takes the lock if that needs no waiting; otherwise resolves `undefined` and leaves no node. */
  async tryAcquire(): Promise<LockHandle | undefined> {
    const tenure = await this.#engine.tryEnter();
    return tenure === undefined ? undefined : this.#handle(tenure);
  }

  /** Releases `handle`; NotOwnerError if another lock issued it. Idempotent. */
  release(handle: LockHandle): Promise<void> {
    if (!(handle instanceof LockHandle) || !handle.isOwnedBy(this))
      return Promise.reject(new NotOwnerError(`this handle was not issued by ${this.path}`));
    return handle.release();
  }

  /** Resolves once every node this lock deleted is gone (releases retry in the background). */
  settled(): Promise<void> {
    return this.#engine.settled();
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Rejects waiting acquires, revokes and deletes a held lock; resolves once our nodes are gone. */
  close(): Promise<void> {
    return this.#engine.close();
  }

  /** @internal For tests and debugging: the engine's state and last transitions. */
  get engine(): Contention {
    return this.#engine;
  }

  #handle(tenure: Tenure): LockHandle {
    return new LockHandle(tenure, this.#session, this, () => this.#engine.leave(tenure));
  }
}
