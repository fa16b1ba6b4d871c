/**
 * Semaphore: at most `maxLeases` leases at once across processes, in Curator's
 * InterProcessSemaphoreV2 layout (CURATOR-COMPAT.md): an internal mutex at `<path>/locks`
 * (Mutex layout) and leases `<path>/leases/_c_<uuid>-lease-<seq>` (EPHEMERAL_SEQUENTIAL).
 * `maxLeases` is not stored in ZooKeeper: every client must use the same one.
 *
 * A held lease is watched (armed once the hold passes ARM_OWN_WATCH_AFTER_MS, as a Mutex does):
 * deleted by someone, its `signal` aborts with LockLostError('deleted').
 *
 * Acquiring a lease: take the internal mutex, create the lease, count the leases until there
 * are at most `maxLeases`, then give the internal mutex back. Only the holder of the internal
 * mutex watches the leases, and only while it must wait (HARD-CASES 7): a release wakes one
 * process, not every waiter. Acquires of one Semaphore instance run one after the other.
 *
 * Session states (STYLE §6):
 * - `suspended`: every held lease's `signal` aborts with LockLostError('suspended') (unless
 *   `abortOn: 'lost'`); lease nodes stay until released. An acquire in progress goes on.
 * - `reconnected`: an acquire waiting for a free lease counts the leases again; every held lease
 *   is read again (still there and ours, or its signal aborts with 'deleted').
 * - `lost`: every held lease's signal aborts with LockLostError('expired') and `lost` is emitted
 *   first; an acquire in progress starts over on the next session.
 */
import { hostname } from 'node:os';
import { Actor, type Stamp } from '../actor/actor.js';
import { Deferred } from '../actor/deferred.js';
import type { MailboxFailure } from '../actor/mailbox.js';
import {
  InvalidArgumentError,
  isRetryable,
  RecipeClosedError,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
} from '../session/errors.js';
import { joinPath, nameOf, validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import type { SessionStateEvent, WatchMessage } from '../session/states.js';
import type { AcquireOptions, LockEvents, LockOptions } from './internal/contended-lock.js';
import { firstInLine } from './internal/contenders.js';
import { ARM_OWN_WATCH_AFTER_MS, Contention } from './internal/contention.js';
import { readOwnership } from './internal/contention-reads.js';
import { Effects } from './internal/effects.js';
import { HeldNode, type Tenure } from './internal/held-node.js';
import { NodeDeleter } from './internal/node-deleter.js';
import type { LossReason } from './lock-errors.js';
import { LockHandle } from './lock-handle.js';

interface Request {
  readonly deferred: Deferred<LockHandle | undefined>;
  /** False for `tryAcquire`: when every lease is taken it resolves undefined instead of waiting. */
  readonly waits: boolean;
  /** Ends the wait for the internal mutex when the caller gives up. */
  readonly abort: AbortController;
}

export type SemaphoreState =
  | { kind: 'idle' }
  | { kind: 'locking'; request: Request }
  | { kind: 'leasing'; request: Request; mutex: Tenure }
  /** `triggered`: the leases changed while counting (the trigger can overtake the count). */
  | { kind: 'counting'; request: Request; mutex: Tenure; lease: string; triggered: boolean }
  | { kind: 'waiting'; request: Request; mutex: Tenure; lease: string }
  | { kind: 'closed' };

const TRANSITIONS = {
  idle: ['locking', 'closed'],
  locking: ['locking', 'leasing', 'idle', 'closed'],
  leasing: ['locking', 'counting', 'idle', 'closed'],
  counting: ['locking', 'leasing', 'counting', 'waiting', 'idle', 'closed'],
  waiting: ['locking', 'counting', 'idle', 'closed'],
  closed: [],
} as const satisfies Record<SemaphoreState['kind'], readonly SemaphoreState['kind'][]>;

type Count = { kind: 'fits'; fencingToken: bigint } | { kind: 'full' } | { kind: 'missing' };

type SemaphoreMessage =
  | { kind: 'acquire'; request: Request }
  | { kind: 'cancel'; request: Request }
  | { kind: 'locked'; stamp: Stamp; mutex: Tenure }
  | { kind: 'leased'; stamp: Stamp; node: string }
  | { kind: 'counted'; stamp: Stamp; count: Count }
  | { kind: 'failed'; stamp: Stamp; error: unknown }
  /** Time to read a held lease (and so arm its watch). */
  | { kind: 'arm'; lease: HeldNode }
  /** A held lease was read: `owned` false when it is gone or not ours; undefined if unknown. */
  | { kind: 'verified'; lease: HeldNode; owned: boolean | undefined }
  | { kind: 'session'; event: SessionStateEvent }
  | WatchMessage;

export class Semaphore extends Actor<SemaphoreState, SemaphoreMessage, LockEvents> {
  readonly path: string;
  readonly maxLeases: number;
  readonly #session: Session;
  readonly #leases: string;
  readonly #data: Uint8Array | string;
  readonly #abortOn: 'suspended' | 'lost';
  readonly #mutex: Contention;
  readonly #deleter: NodeDeleter;
  /** Acquires not yet started, oldest first. */
  #queue: Request[] = [];
  readonly #held = new Set<HeldNode>();
  readonly #effects = new Effects<SemaphoreMessage>((message) => this.#deliver(message));
  readonly #sink = (message: WatchMessage): void => this.#deliver(message);
  readonly #onSessionState = (event: SessionStateEvent): void =>
    this.#deliver({ kind: 'session', event });

  constructor(session: Session, path: string, maxLeases: number, options: LockOptions = {}) {
    validatePath(path);
    if (!Number.isInteger(maxLeases) || maxLeases < 1)
      throw new InvalidArgumentError('maxLeases', `expected an integer >= 1, got ${maxLeases}`);
    super({
      name: `Semaphore ${path}`,
      initial: { kind: 'idle' },
      transitions: TRANSITIONS,
      generation: () => session.generation,
    });
    this.path = path;
    this.maxLeases = maxLeases;
    this.#session = session;
    this.#leases = joinPath(path, 'leases');
    this.#data = options.data ?? hostname();
    this.#abortOn = options.abortOn ?? 'suspended';
    this.#mutex = new Contention({
      session,
      path: joinPath(path, 'locks'),
      driver: firstInLine('lock-'),
      data: this.#data,
      name: `Semaphore ${path} internal mutex`,
    });
    this.#deleter = new NodeDeleter(session, (error) => this.emit('error', error));
    this.#session.on('state', this.#onSessionState);
  }

  /** Waits for a lease. Rejects with `signal.reason` (nothing created) if already aborted. */
  async acquire(options: AcquireOptions = {}): Promise<LockHandle> {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', 'expected an object');
    if (options.signal?.aborted) throw options.signal.reason;
    return this.#request(true, options) as Promise<LockHandle>;
  }

  /**
   * A lease if one is free now, otherwise `undefined` (nothing left behind). It still waits its
   * turn at the internal mutex, which is held only while a lease is being counted.
   */
  tryAcquire(): Promise<LockHandle | undefined> {
    return this.#request(false, {});
  }

  #request(waits: boolean, options: AcquireOptions): Promise<LockHandle | undefined> {
    const request: Request = {
      waits,
      abort: new AbortController(),
      deferred: new Deferred<LockHandle | undefined>({
        ...options,
        onCancel: () => this.#deliver({ kind: 'cancel', request }),
      }),
    };
    if (!this.mailbox.post({ kind: 'acquire', request }))
      request.deferred.reject(new RecipeClosedError(this.name));
    return request.deferred.promise;
  }

  /** Resolves once every lease node this semaphore deleted is gone. */
  async settled(): Promise<void> {
    await Promise.all([this.#deleter.settled(), this.#mutex.settled()]);
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Rejects waiting acquires, revokes and deletes held leases; resolves once our nodes are gone. */
  async close(): Promise<void> {
    if (!this.mailbox.isClosed) {
      await this.mailbox
        .call(() => this.#shutdown(new RecipeClosedError(this.name)))
        .catch((err: unknown) => {
          if (!(err instanceof RecipeClosedError)) throw err;
        });
      await this.mailbox.close();
      this.#session.off('state', this.#onSessionState);
    }
    await this.#effects.settled();
    await this.#mutex.close();
    await this.#deleter.settled();
  }

  // ---- the state machine -------------------------------------------------------------------

  protected handle(m: SemaphoreMessage): void {
    const s = this.state;
    switch (m.kind) {
      case 'acquire':
        if (m.request.deferred.isSettled) return;
        this.#queue.push(m.request);
        if (s.kind === 'idle') this.#next();
        return;
      case 'cancel':
        this.#onCancel(m.request);
        return;
      case 'locked':
        if (this.isStale(m.stamp) || s.kind !== 'locking') {
          void this.#mutex.leave(m.mutex); // nobody needs it any more
          return;
        }
        this.#lease(s.request, m.mutex);
        return;
      case 'leased':
        if (this.isStale(m.stamp) || s.kind !== 'leasing') {
          void this.#deleter.delete(m.node);
          return;
        }
        this.#count(s.request, s.mutex, m.node, 'leased');
        return;
      case 'counted':
        if (!this.isStale(m.stamp) && s.kind === 'counting') this.#onCounted(s, m.count);
        return;
      case 'failed':
        if (!this.isStale(m.stamp)) this.#onFailed(m.error);
        return;
      case 'arm':
        if (this.#held.has(m.lease)) this.#verifyLease(m.lease);
        return;
      case 'verified':
        if (m.owned === false && this.#held.has(m.lease)) this.#revoke(m.lease, 'deleted');
        return;
      case 'session':
        this.#onSession(m.event);
        return;
      case 'watch':
        if (m.path !== this.#leases) {
          this.#onLeaseWatch(m);
          return;
        }
        // Only a count in flight or a waiter needs the leases; otherwise an older watch fired.
        if (s.kind === 'counting') s.triggered = true;
        else if (s.kind === 'waiting') this.#count(s.request, s.mutex, s.lease, m.type);
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  protected onFailure(failure: MailboxFailure<SemaphoreMessage>): void {
    if (failure.error instanceof RecipeClosedError) return;
    const error = failure.error;
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }

  /** The watch on a held lease fired: deleted, it is lost; changed, read (and re-arm) it. */
  #onLeaseWatch(m: WatchMessage): void {
    const lease = [...this.#held].find((l) => l.node === m.path);
    if (lease === undefined) return; // given back already
    if (m.type === 'deleted') this.#revoke(lease, 'deleted');
    else this.#verifyLease(lease);
  }

  #onCounted(s: Extract<SemaphoreState, { kind: 'counting' }>, count: Count): void {
    switch (count.kind) {
      case 'full':
        if (!s.request.waits) {
          // tryAcquire: nothing left behind; it answers once the lease's delete was tried.
          const { deferred } = s.request;
          const done = () => deferred.resolve(undefined);
          void this.#mutex.leave(s.mutex);
          this.#deleter.delete(s.lease).then(done, done);
          this.#next();
        } else if (s.triggered)
          this.#count(s.request, s.mutex, s.lease, 'leases changed while counting');
        else
          this.transition(
            { kind: 'waiting', request: s.request, mutex: s.mutex, lease: s.lease },
            'all leases taken',
          );
        return;
      case 'missing':
        // Our lease went (deleted by someone, or not ours): create another (HARD-CASES 9).
        void this.#deleter.delete(s.lease);
        this.#lease(s.request, s.mutex);
        return;
      case 'fits': {
        void this.#mutex.leave(s.mutex);
        const lease = new HeldNode(s.lease, count.fencingToken);
        const handle = new LockHandle(lease, this.#session, this, () => this.#giveBack(lease));
        if (s.request.deferred.resolve(handle)) {
          this.#held.add(lease);
          this.emit('acquired', { node: lease.node, fencingToken: lease.fencingToken });
          setTimeout(() => this.#deliver({ kind: 'arm', lease }), ARM_OWN_WATCH_AFTER_MS).unref();
        } else void this.#deleter.delete(lease.node); // the caller gave up meanwhile
        this.#next();
        return;
      }
    }
  }

  #onCancel(request: Request): void {
    this.#queue = this.#queue.filter((r) => r !== request);
    const s = this.state;
    if (!('request' in s) || s.request !== request) return;
    request.abort.abort(); // ends a wait for the internal mutex (its node goes)
    this.#drop(s);
    this.#next();
  }

  #onFailed(error: unknown): void {
    const s = this.state;
    if (!('request' in s)) return;
    this.#drop(s);
    if (isRetryable(error) || error instanceof SessionExpiredError) {
      this.#lock(s.request, 'retry after a connection failure');
      return;
    }
    s.request.deferred.reject(error);
    this.#next();
  }

  #onSession(event: SessionStateEvent): void {
    const s = this.state;
    switch (event.state) {
      case 'suspended':
        if (this.#abortOn === 'suspended') this.#revokeAll('suspended');
        return;
      case 'reconnected':
        if (s.kind === 'waiting') this.#count(s.request, s.mutex, s.lease, 'reconnected');
        // A delete during the disconnect may have been missed (HARD-CASES 12).
        for (const lease of this.#held) this.#verifyLease(lease);
        return;
      case 'lost':
        // Holders hear it first (HARD-CASES 5); the leases and the mutex went with the session.
        this.#revokeAll('expired');
        this.#held.clear();
        // An acquire past the internal mutex starts over; one still waiting for it stays in
        // line there (the mutex gets in line again on the next session by itself).
        if ('mutex' in s) this.#lock(s.request, 'session lost');
        return;
      case 'connected':
        return;
      case 'closed':
        this.#shutdown(new SessionClosedError());
        return;
    }
  }

  // ---- moves -------------------------------------------------------------------------------

  /** Starts the oldest acquire still waiting, or goes idle. */
  #next(): void {
    this.#queue = this.#queue.filter((r) => !r.deferred.isSettled);
    const request = this.#queue.shift();
    if (request !== undefined) this.#lock(request, 'next acquire');
    else if (this.state.kind !== 'idle') this.transition({ kind: 'idle' }, 'no acquire waiting');
  }

  #lock(request: Request, reason: string): void {
    this.transition({ kind: 'locking', request }, reason);
    const stamp = this.stamp();
    this.#effect(
      this.#mutex
        .enter({ signal: request.abort.signal })
        .then((mutex) => ({ kind: 'locked', stamp, mutex })),
      stamp,
    );
  }

  #lease(request: Request, mutex: Tenure): void {
    this.transition({ kind: 'leasing', request, mutex }, 'internal mutex held');
    const stamp = this.stamp();
    this.#effect(
      this.#session
        .createProtected(this.#leases, 'lease-', this.#data, {
          mode: 'ephemeralSequential',
          createParents: true,
        })
        .then(({ path }) => ({ kind: 'leased', stamp, node: path })),
      stamp,
    );
  }

  #count(request: Request, mutex: Tenure, lease: string, reason: string): void {
    this.transition({ kind: 'counting', request, mutex, lease, triggered: false }, reason);
    const stamp = this.stamp();
    this.#effect(
      this.#counting(lease, request.waits).then((count) => ({ kind: 'counted', stamp, count })),
      stamp,
    );
  }

  /** Reads a held lease with a watch on it; the answer comes back as `verified`. */
  #verifyLease(lease: HeldNode): void {
    this.#effects.run(
      readOwnership(this.#session, lease.node, this.#sink).then(
        (owner): SemaphoreMessage => ({ kind: 'verified', lease, owned: owner.kind === 'ours' }),
      ),
      // Unknown (connection failure): the next `reconnected` reads it again.
      () => ({ kind: 'verified', lease, owned: undefined }),
    );
  }

  /** Gives back what the current acquire holds: the internal mutex, and its lease if any. */
  #drop(s: SemaphoreState): void {
    if ('mutex' in s) void this.#mutex.leave(s.mutex);
    if ('lease' in s) void this.#deleter.delete(s.lease);
  }

  #giveBack(lease: HeldNode): Promise<void> {
    return this.mailbox
      .call(() => {
        if (!this.#held.delete(lease)) return { deleted: Promise.resolve() }; // lost or closed
        this.emit('released', { node: lease.node, fencingToken: lease.fencingToken });
        return { deleted: this.#deleter.delete(lease.node) };
      })
      .then(
        ({ deleted }) => deleted,
        (err: unknown) => {
          if (!(err instanceof RecipeClosedError)) throw err; // closed: close() deleted it
        },
      );
  }

  #revokeAll(reason: LossReason): void {
    for (const lease of this.#held) this.#revoke(lease, reason);
  }

  #revoke(lease: HeldNode, reason: LossReason): void {
    const error = lease.revoke(reason);
    if (error !== undefined) this.emit('lost', error);
  }

  #shutdown(error: Error): void {
    const s = this.state;
    if (s.kind === 'closed') return;
    this.#revokeAll('closed');
    for (const lease of this.#held) void this.#deleter.delete(lease.node);
    this.#held.clear();
    for (const r of this.#queue) r.deferred.reject(error);
    this.#queue = [];
    if ('request' in s) {
      s.request.abort.abort();
      s.request.deferred.reject(error);
      this.#drop(s);
    }
    this.transition({ kind: 'closed' }, error.message);
  }

  // ---- effects -----------------------------------------------------------------------------

  #effect(work: Promise<SemaphoreMessage>, stamp: Stamp): void {
    this.#effects.run(work, (error) => ({ kind: 'failed', stamp, error }));
  }

  #deliver(message: SemaphoreMessage): void {
    if (!this.mailbox.isClosed) {
      this.mailbox.post(message);
      return;
    }
    // Closed: what arrives too late must still be given back.
    if (message.kind === 'leased') void this.#deleter.delete(message.node);
    if (message.kind === 'locked') void this.#mutex.leave(message.mutex);
  }

  /** Counts the leases; sets a watch only when it has to wait (HARD-CASES 7). */
  async #counting(lease: string, waits: boolean): Promise<Count> {
    try {
      let { children } = await this.#session.getChildren(this.#leases);
      if (children.length > this.maxLeases && waits)
        ({ children } = await this.#session.getChildren(this.#leases, { watch: this.#sink }));
      if (!children.includes(nameOf(lease))) return { kind: 'missing' };
      if (children.length > this.maxLeases) return { kind: 'full' };
      const { stat } = await this.#session.getData(lease);
      // HARD-CASES 2: never count on a node of another session.
      if (stat.ephemeralOwner !== this.#session.sessionId) return { kind: 'missing' };
      return { kind: 'fits', fencingToken: stat.czxid };
    } catch (err) {
      // The leases container or our lease went: get a new lease.
      if (err instanceof ZkError && err.code === 'NONODE') return { kind: 'missing' };
      throw err;
    }
  }
}
