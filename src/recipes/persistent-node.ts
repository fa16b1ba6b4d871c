/**
 * PersistentNode: a node the library keeps in place with its latest data, whatever happens to
 * the session or to the node (Curator's PersistentNode). The building block of
 * GroupMembership and service registration.
 *
 * ```ts
 * const node = new PersistentNode(session, '/members/worker-1', JSON.stringify({ port: 8080 }));
 * node.on('created', ({ path }) => console.log('registered', path));
 * await node.start();                  // resolves once the node exists
 * await node.setData('{"port":8081}'); // now, and on every re-creation
 * await node.close();                  // deletes it (retried until it is gone)
 * ```
 *
 * - Created with its parents (containers). Ephemeral by default; sequential modes go through
 *   the protected create (HARD-CASES 1), so a lost reply never leaves an orphan, and get a new
 *   name each time they are re-created (see `path`).
 * - Watched with a getData watch (exists-watch while missing): deleted by someone else, it is
 *   re-created with the latest data (HARD-CASES 9). Someone else's change of its data is left
 *   alone until the next resync (two writers would otherwise overwrite each other forever).
 * - A node at the path that is not ours (an ephemeral node of another session: our own expired
 *   one that the server has not removed yet, or another process) is never deleted: the state is
 *   `occupied` and the node is created as soon as that one goes.
 * - `close()` deletes the node, retried in the background until it is gone (HARD-CASES 10),
 *   unless `keepOnClose`.
 *
 * Session states (STYLE §6):
 * - `suspended`: nothing is done; the node may or may not be there.
 * - `reconnected`: the node is read: if it is gone or not ours (`ephemeralOwner`, HARD-CASES 2)
 *   it is created again; if its data is not the latest, the latest is written.
 * - `lost`: an ephemeral node went with the session: `deleted` (reason `sessionLost`) is emitted
 *   at once, and the node is created again on the new session's `connected` (HARD-CASES 13).
 * - session `closed`: the recipe closes (an ephemeral node went with the session).
 */

import type { Stamp, TransitionTable } from '../actor/actor.js';
import { Actor } from '../actor/actor.js';
import { Deferred } from '../actor/deferred.js';
import type { MailboxFailure } from '../actor/mailbox.js';
import { InvalidArgumentError, RecipeClosedError, toError, ZkError } from '../session/errors.js';
import { nameOf, parentOf, validatePath } from '../session/paths.js';
import { backoffDelay, DEFAULT_RETRY } from '../session/retry.js';
import type { Session } from '../session/session.js';
import type { SessionStateEvent, WatchMessage } from '../session/states.js';
import type { Acl, Stat } from '../session/transport/types.js';
import { DEFAULT_MAX_DATA_BYTES, isSequentialMode, toBytes } from '../session/validate.js';
import type { WaitOptions } from './internal/cache-actor.js';
import { CacheReader, isConnectionFailure } from './internal/cache-reader.js';
import { NodeDeleter } from './internal/node-deleter.js';

const MODES = ['ephemeral', 'persistent', 'ephemeralSequential', 'persistentSequential'] as const;
export type PersistentNodeMode = (typeof MODES)[number];

export interface PersistentNodeOptions {
  /** Default `ephemeral`. */
  mode?: PersistentNodeMode;
  /** ACL of the node (default: the session's). */
  acl?: readonly Acl[];
  /** Leave the node in ZooKeeper on `close()` (an ephemeral one still ends with its session). */
  keepOnClose?: boolean;
}

export interface PersistentNodeEvents {
  /** Our node came into being (first creation or a re-creation). */
  created: [{ path: string; stat: Stat }];
  /** Our node is gone: deleted by someone, or its session was lost. It will be re-created. */
  deleted: [{ path: string; reason: 'deleted' | 'sessionLost' }];
  /** A failure with nobody to reject (e.g. NOAUTH on create); the node keeps trying. */
  error: [Error];
}

export type PersistentNodeState =
  | { kind: 'idle' }
  /** The node is missing or unchecked; creating it (or waiting to retry) in this generation. */
  | { kind: 'creating'; generation: number }
  /** Our node exists, with a data watch on it. */
  | { kind: 'present'; generation: number; path: string }
  /** An ephemeral node of another session holds the path; its deletion is watched. */
  | { kind: 'occupied'; generation: number; owner: bigint }
  | { kind: 'suspended'; since: 'suspended' | 'lost' }
  | { kind: 'closed' };

const TRANSITIONS: TransitionTable<PersistentNodeState['kind']> = {
  idle: ['creating', 'closed'],
  creating: ['creating', 'present', 'occupied', 'suspended', 'closed'],
  present: ['creating', 'suspended', 'closed'],
  occupied: ['creating', 'suspended', 'closed'],
  suspended: ['suspended', 'creating', 'closed'],
  closed: [],
};

type Input =
  | { kind: 'start' }
  | { kind: 'session'; event: SessionStateEvent }
  | { kind: 'retry'; stamp: Stamp }
  | WatchMessage;

/** What a look at the path found. */
type Ensured =
  | { kind: 'present'; path: string; stat: Stat }
  | { kind: 'occupied'; owner: bigint }
  | { kind: 'retry' };

/** Attempts of one `ensure` before it waits for the retry timer (someone keeps racing us). */
const MAX_ATTEMPTS = 5;

export class PersistentNode extends Actor<PersistentNodeState, Input, PersistentNodeEvents> {
  readonly #session: Session;
  /** The configured path (for sequential modes: parent + name prefix). */
  readonly #basePath: string;
  readonly #mode: PersistentNodeMode;
  readonly #acl: readonly Acl[] | undefined;
  readonly #keepOnClose: boolean;
  readonly #reader: CacheReader;
  readonly #deleter: NodeDeleter;
  readonly #abort = new AbortController();
  readonly #waiters = new Set<Deferred<void>>();
  readonly #onSession = (event: SessionStateEvent) => this.#post({ kind: 'session', event });
  #data: Buffer;
  /** Sequential modes: the node we created last, the only way to find it again. */
  #created: string | undefined;
  /** Our node as last reported by `created` (and not yet by `deleted`). */
  #present: { path: string; czxid: bigint } | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;

  /** Throws InvalidArgumentError for a bad path, data or mode. Call `start()` to create it. */
  constructor(
    session: Session,
    path: string,
    data: Uint8Array | string = new Uint8Array(0),
    options: PersistentNodeOptions = {},
  ) {
    const mode = options.mode ?? 'ephemeral';
    if (!MODES.includes(mode))
      throw new InvalidArgumentError(
        'mode',
        `expected one of ${MODES.join(', ')}, got ${String(mode)}`,
      );
    validatePath(path, { sequential: isSequentialMode(mode) });
    if (path === '/') throw new InvalidArgumentError('path', 'the root cannot be a PersistentNode');
    super({
      name: `PersistentNode ${path}`,
      initial: { kind: 'idle' },
      transitions: TRANSITIONS,
      generation: () => session.generation,
    });
    this.#session = session;
    this.#basePath = path;
    this.#mode = mode;
    this.#acl = options.acl;
    this.#keepOnClose = options.keepOnClose ?? false;
    this.#data = Buffer.from(toBytes(data, DEFAULT_MAX_DATA_BYTES));
    this.#reader = new CacheReader({
      session,
      root: path,
      persistentMode: 'persistent',
      watchMode: 'oneTime', // one node, rarely changed: a persistent watch would outlive close()
      sink: (message) => this.#post(message),
      signal: this.#abort.signal,
    });
    this.#deleter = new NodeDeleter(session, (error) => this.emit('error', error));
    session.on('state', this.#onSession);
  }

  /** The path of our node while it exists (sequential modes: with its sequence number). */
  get path(): string | undefined {
    return this.#present?.path;
  }

  /** The latest data: what the node holds, or will hold once (re-)created. */
  get data(): Buffer {
    return this.#data;
  }

  /** True while our node is known to exist. */
  get isPresent(): boolean {
    return this.state.kind === 'present';
  }

  /**
   * Starts keeping the node (idempotent); resolves once it exists for the first time. Rejects
   * with RecipeClosedError after `close()`, or with the signal's reason / a TimeoutError.
   */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.mailbox.isClosed) return Promise.reject(new RecipeClosedError(this.name));
    this.mailbox.post({ kind: 'start' });
    if (this.#present !== undefined) return Promise.resolve();
    const waiter: Deferred<void> = new Deferred({
      ...options,
      onCancel: () => this.#waiters.delete(waiter),
    });
    this.#waiters.add(waiter);
    return waiter.promise;
  }

  /**
   * Makes `data` the node's data: written now if the node exists, and used for every
   * re-creation. Resolves after the write was tried: a write lost with the connection is made
   * on the resync. Throws InvalidArgumentError for data that is not bytes or a string, or too
   * big; rejects with RecipeClosedError after close.
   */
  setData(data: Uint8Array | string): Promise<void> {
    const bytes = Buffer.from(toBytes(data, DEFAULT_MAX_DATA_BYTES));
    return this.mailbox.call(async () => {
      this.#data = bytes;
      const state = this.state;
      if (state.kind !== 'present') return;
      const stamp = this.stamp();
      try {
        await this.#session.setData(state.path, bytes);
      } catch (err) {
        if (this.isStale(stamp)) return;
        if (err instanceof ZkError && err.code === 'NONODE') return this.#ensure('deleted');
        if (!isConnectionFailure(err)) throw err;
      }
    });
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Stops keeping the node and deletes it (unless `keepOnClose`); resolves after the first
   * delete attempt, later ones go on in the background until the node is gone. Idempotent.
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

  protected async handle(input: Input): Promise<void> {
    const state = this.state;
    if (state.kind === 'closed' || this.#abort.signal.aborted) return;
    switch (input.kind) {
      case 'start':
        if (state.kind === 'idle') await this.#ensure('start');
        return;
      case 'retry':
        if (!this.isStale(input.stamp)) await this.#ensure('retry');
        return;
      case 'watch':
        // Any trigger of our watch (deleted, data changed, created) is answered by a look.
        if (input.generation !== this.#session.generation) return;
        if (state.kind === 'present' || state.kind === 'occupied' || state.kind === 'creating')
          await this.#ensure(input.type);
        return;
      case 'session':
        return this.#onSessionState(state, input.event);
      default: {
        const never: never = input;
        throw new Error(`unknown input ${JSON.stringify(never)}`);
      }
    }
  }

  protected onFailure(failure: MailboxFailure<Input>): void {
    this.#emitError(failure.error);
  }

  async #onSessionState(state: PersistentNodeState, event: SessionStateEvent): Promise<void> {
    switch (event.state) {
      case 'suspended':
      case 'lost':
        if (state.kind === 'idle') return;
        if (state.kind === 'suspended' && state.since === 'lost') return;
        this.transition({ kind: 'suspended', since: event.state }, event.state);
        if (event.state === 'lost' && this.#isEphemeral) {
          this.#created = undefined;
          this.#gone('sessionLost');
        }
        return;
      case 'reconnected':
      case 'connected':
        if (state.kind !== 'idle') await this.#ensure(event.state);
        return;
      case 'closed':
        return this.#shutdown('session closed');
      default: {
        const never: never = event.state;
        throw new Error(`unknown session state ${String(never)}`);
      }
    }
  }

  /**
   * Makes our node exist with the latest data and watches it; moves to `present` or
   * `occupied`, or stays `creating` with a retry timer after a failure. `reason` is also the
   * trigger type: after `dataChanged` someone else's data is left alone.
   */
  async #ensure(reason: string): Promise<void> {
    this.transition({ kind: 'creating', generation: this.#session.generation }, reason);
    const stamp = this.stamp();
    let ensured: Ensured;
    try {
      ensured = await this.#lookOrCreate(stamp, reason !== 'dataChanged');
    } catch (err) {
      if (this.#abort.signal.aborted || this.isStale(stamp)) return;
      if (!isConnectionFailure(err)) this.#emitError(err);
      ensured = { kind: 'retry' };
    }
    if (this.isStale(stamp)) return;
    const generation = this.#session.generation;
    switch (ensured.kind) {
      case 'present': {
        this.#failures = 0;
        this.transition({ kind: 'present', generation, path: ensured.path }, 'node exists');
        if (this.#present?.czxid === ensured.stat.czxid) return;
        this.#present = { path: ensured.path, czxid: ensured.stat.czxid };
        this.emit('created', { path: ensured.path, stat: ensured.stat });
        for (const waiter of this.#waiters) waiter.resolve();
        this.#waiters.clear();
        return;
      }
      case 'occupied':
        this.#failures = 0;
        this.transition({ kind: 'occupied', generation, owner: ensured.owner }, 'not ours');
        return;
      case 'retry': {
        clearTimeout(this.#retryTimer);
        const retry = this.stamp();
        this.#retryTimer = setTimeout(
          () => this.#post({ kind: 'retry', stamp: retry }),
          backoffDelay(DEFAULT_RETRY, Math.min(this.#failures++, 6)),
        );
        return;
      }
      default: {
        const never: never = ensured;
        throw new Error(`unknown outcome ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * Reads the node (leaving a watch on it), keeps it if it is ours, else creates it. A few
   * rounds at most: someone deleting or creating the node as fast as we look is left to the
   * retry timer.
   */
  async #lookOrCreate(stamp: Stamp, restoreData: boolean): Promise<Ensured> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS && !this.isStale(stamp); attempt++) {
      const path = this.#isSequential ? this.#created : this.#basePath;
      const node =
        path === undefined ? undefined : await this.#reader.getData(path, { watchMissing: true });
      if (path !== undefined && node !== undefined && this.#owns(node.stat)) {
        if (!restoreData || node.data.equals(this.#data))
          return { kind: 'present', path, stat: node.stat };
        // The write changes mzxid only: czxid and the watch stay.
        const stat = await this.#session.setData(path, this.#data);
        return { kind: 'present', path, stat };
      }
      this.#gone('deleted');
      if (node !== undefined && !this.#isSequential)
        return { kind: 'occupied', owner: node.stat.ephemeralOwner };
      const created = await this.#create();
      if (this.#isSequential) this.#created = created;
      // Next round: read what we created (or what beat us to the path), which sets the watch.
    }
    return { kind: 'retry' };
  }

  /** Creates the node: its path, or undefined if a node was already at the path (not sequential). */
  async #create(): Promise<string | undefined> {
    const options = {
      mode: this.#mode,
      createParents: true,
      ...(this.#acl === undefined ? {} : { acl: this.#acl }),
    } as const;
    if (this.#isSequential) {
      const parent = parentOf(this.#basePath);
      const name = this.#basePath.endsWith('/') ? '' : nameOf(this.#basePath);
      return (await this.#session.createProtected(parent, name, this.#data, options)).path;
    }
    try {
      return (await this.#session.create(this.#basePath, this.#data, options)).path;
    } catch (err) {
      if (err instanceof ZkError && err.code === 'NODEEXISTS') return undefined;
      throw err;
    }
  }

  /** Ours: an ephemeral node of this session (HARD-CASES 2), or, persistent, any node at our path. */
  #owns(stat: Stat): boolean {
    return this.#isEphemeral
      ? stat.ephemeralOwner === this.#session.sessionId
      : stat.ephemeralOwner === 0n;
  }

  /** Our node is gone: tell the user once. */
  #gone(reason: 'deleted' | 'sessionLost'): void {
    const present = this.#present;
    if (present === undefined) return;
    this.#present = undefined;
    this.emit('deleted', { path: present.path, reason });
  }

  async #shutdown(reason: string): Promise<void> {
    const state = this.state;
    if (state.kind === 'closed') return;
    this.transition({ kind: 'closed' }, reason);
    this.#abort.abort(new RecipeClosedError(this.name));
    this.#session.off('state', this.#onSession);
    clearTimeout(this.#retryTimer);
    for (const waiter of this.#waiters) waiter.reject(new RecipeClosedError(this.name));
    this.#waiters.clear();
    void this.mailbox.close(); // not awaited: we are inside a mailbox turn
    if (state.kind === 'idle' || this.#keepOnClose || this.#session.isClosed) return;
    // Ours to delete: the node last reported `created` and not since `deleted` (an ephemeral
    // one of a lost session was reported deleted), whatever look was in flight when we closed;
    // or one we may have created without a look yet (close right after start): if it is ours.
    const path = this.#present?.path ?? (this.#isSequential ? this.#created : this.#basePath);
    if (path === undefined) return;
    if (this.#present === undefined) {
      const stat = await this.#session.exists(path).catch(() => null);
      if (stat === null || !this.#owns(stat)) return;
    }
    await this.#deleter.delete(path);
  }

  /** Inputs from outside (triggers, session states, timers) after close are dropped, not errors. */
  #post(input: Input): void {
    if (!this.mailbox.isClosed) this.mailbox.post(input);
  }

  #emitError(err: unknown): void {
    this.emit('error', toError(err));
  }

  get #isSequential(): boolean {
    return isSequentialMode(this.#mode);
  }

  get #isEphemeral(): boolean {
    return this.#mode === 'ephemeral' || this.#mode === 'ephemeralSequential';
  }
}
