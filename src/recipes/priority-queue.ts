/**
 * PriorityQueue: a distributed priority queue in Curator's DistributedPriorityQueue layout
 * (items `Q/queue-<prio><seq>`, Curator's byte framing, locks at `Q-locks/<item>`), so Java
 * producers and consumers share it (CURATOR-COMPAT.md). Lower priority values first, FIFO within
 * a priority (signed sequence, HARD-CASES 15).
 *
 * - `put` stores an item exactly once, also when its reply is lost (queue/put.ts); only if the
 *   session is lost mid-put is the outcome unknowable (PutOutcomeUnknownError).
 * - `take` is at-most-once: the item is deleted when claimed; the caller owns it.
 * - `consume` is at-least-once: the item stays under an EPHEMERAL lock until `ack()`; `nack()`
 *   or the consumer's death (session lost) gives it back (HARD-CASES 14).
 *
 * Speed comes from the listing: the sorted children are kept between takes, and the bytes of
 * the next few items are read ahead, so a take costs one `multi` round trip, not a getChildren.
 * The listing is read again when it runs out or is older than `freshnessMs` (default 50 ms), so
 * an item put later with a better priority waits at most that long plus a claim for its turn.
 * When consumers of other instances race us for the same items, we try the items of one
 * priority in random order within blocks of 16 (see `spread`): priority order always holds,
 * FIFO within a priority then holds up to 16 places; a lone consumer keeps strict FIFO.
 *
 * No herd (HARD-CASES 7): the waiters of an instance are served in FIFO order by one dispatcher
 * (queue/states.ts). An instance with nothing to take gets in line at `Q-consumers` (a Mutex:
 * each waiter watches only its predecessor) and only the first in line watches Q's children. A
 * put wakes that one instance; when it has claimed an item it leaves the line, and the next one
 * in line lists once and becomes the watcher. So one put makes two instances read the queue, however
 * many wait (measured: test/recipes/queue/herd.test.ts).
 *
 * Connection states (STYLE §6):
 * - `suspended`: waiters keep waiting; claims in flight fail and are retried with backoff;
 *   consumed items keep their locks (the session may live), their `ack()` waits for the answer.
 * - `reconnected`: the watcher lists again (a change during the disconnect may be missed,
 *   HARD-CASES 12); serving goes on.
 * - `lost`: every consumed item not yet acked is revoked first (`signal` aborts, `ack()`
 *   rejects with ItemLockLostError: the lock is gone and the item will be redelivered); the
 *   listing is dropped, and waiters get in line again on the new session.
 *
 * Every input (user calls, watch triggers, session states, timers, the line lock) is a mailbox
 * message (STYLE §4), except `put`, which touches no dispatcher state: puts run concurrently.
 *
 * @example
 * ```ts
 * const queue = new PriorityQueue<{ job: string }>(session, '/jobs');
 * await queue.put({ job: 'resize' }, { priority: 5 });
 * const { value } = await queue.take({ timeoutMs: 10_000 });
 * for await (const item of queue.consume({ signal })) {
 *   await work(item.value, item.signal);
 *   await item.ack();
 * }
 * ```
 */
import { Actor, Deferred, type MailboxFailure, type Stamp } from '../actor/index.js';
import {
  InvalidArgumentError,
  isRetryable,
  RecipeClosedError,
  SessionClosedError,
  SessionExpiredError,
  toError,
} from '../session/errors.js';
import { joinPath } from '../session/paths.js';
import { backoffDelay, DEFAULT_RETRY } from '../session/retry.js';
import { Session } from '../session/session.js';
import type { SessionStateEvent, WatchMessage, WatchSink } from '../session/states.js';
import type { LockHandle } from './lock-handle.js';
import { Mutex } from './mutex.js';
import { type ClaimMode, claim } from './queue/claim.js';
import { type ConsumedItem, ConsumedItemImpl, type QueueItem } from './queue/consumed-item.js';
import { ItemFormatError, TakeOutcomeUnknownError } from './queue/errors.js';
import {
  DEFAULT_MAX_ITEM_BYTES,
  decodeItem,
  encodeItem,
  jsonSerializer,
  type Serializer,
} from './queue/framing.js';
import { checkPriority } from './queue/item-name.js';
import { Listing } from './queue/listing.js';
import { type QueuePaths, queuePaths } from './queue/paths.js';
import { Producer } from './queue/put.js';
import {
  type Delivery,
  QUEUE_TRANSITIONS,
  type QueueEvents,
  type QueueMessage,
  type QueueState,
  type Waiter,
} from './queue/states.js';

export type { ConsumedItem, QueueItem } from './queue/consumed-item.js';
export {
  ItemFormatError,
  ItemLockLostError,
  PutOutcomeUnknownError,
  TakeOutcomeUnknownError,
} from './queue/errors.js';
export { jsonSerializer, type Serializer } from './queue/framing.js';
export type { QueueEvents, QueueState } from './queue/states.js';

export interface PriorityQueueOptions<T> {
  /** Item values to bytes and back. Default: UTF-8 JSON (jsonSerializer). */
  serializer?: Serializer<T>;
  /** Largest serialized item. Default: the Session's 1 MB request limit less the framing. */
  maxItemBytes?: number;
  /** How old the cached listing may be before a take reads it again. Default 50 ms. */
  freshnessMs?: number;
}

export interface PutOptions {
  /** An int32; lower values are served first. Default 0. */
  priority?: number;
}

export interface TakeOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

const DEFAULT_FRESHNESS_MS = 50;

export class PriorityQueue<T = unknown> extends Actor<QueueState, QueueMessage, QueueEvents> {
  readonly path: string;
  readonly #session: Session;
  readonly #paths: QueuePaths;
  readonly #serializer: Serializer<T>;
  readonly #maxItemBytes: number;
  readonly #freshnessMs: number;
  readonly #producer: Producer;
  readonly #line: Mutex;
  /** Takes and consumers of this instance, served first come first served. */
  #waiters: Waiter[] = [];
  readonly #listing: Listing;
  /** Consumed items not yet acked or nacked: revoked on `lost`. */
  readonly #held = new Set<ConsumedItemImpl<T>>();
  /** Takes claimed for a caller that gave up in that instant: the next take gets them. */
  readonly #spares: Delivery[] = [];
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(session: Session, path: string, options: PriorityQueueOptions<T> = {}) {
    if (!(session instanceof Session))
      throw new InvalidArgumentError('session', 'expected a Session');
    const paths = queuePaths(path);
    const maxItemBytes = options.maxItemBytes ?? DEFAULT_MAX_ITEM_BYTES;
    if (
      !Number.isInteger(maxItemBytes) ||
      maxItemBytes <= 0 ||
      maxItemBytes > DEFAULT_MAX_ITEM_BYTES
    )
      throw new InvalidArgumentError(
        'options.maxItemBytes',
        `expected an integer in 1..${DEFAULT_MAX_ITEM_BYTES}, got ${String(maxItemBytes)}`,
      );
    const freshnessMs = options.freshnessMs ?? DEFAULT_FRESHNESS_MS;
    if (typeof freshnessMs !== 'number' || !(freshnessMs >= 0))
      throw new InvalidArgumentError(
        'options.freshnessMs',
        `expected a number >= 0, got ${String(freshnessMs)}`,
      );
    super({
      name: `PriorityQueue ${path}`,
      initial: { kind: 'idle' },
      transitions: QUEUE_TRANSITIONS,
      generation: () => session.generation,
    });
    this.path = path;
    this.#session = session;
    this.#paths = paths;
    this.#serializer = options.serializer ?? (jsonSerializer as Serializer<T>);
    this.#maxItemBytes = maxItemBytes;
    this.#freshnessMs = freshnessMs;
    this.#producer = new Producer(session, paths);
    this.#listing = new Listing(session, paths);
    // The line is advisory (who watches), not a safety lock: keep it through `suspended`.
    this.#line = new Mutex(session, paths.consumers, { abortOn: 'lost' });
    this.#line.on('error', (err) => this.tell('error', err));
    session.on('state', this.#onSessionState);
  }

  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Stores `item` with `priority` (default 0). Resolves with its id (node name) once stored.
   * (After a lost reply, if a consumer took the item before we could look, the id is the name
   * without its sequence: stored and delivered, but its number is gone.) Rejects with
   * InvalidArgumentError for a bad priority, a value the serializer refuses, or one over
   * `maxItemBytes`; with PutOutcomeUnknownError if the session was lost mid-put.
   */
  async put(item: T, options: PutOptions = {}): Promise<string> {
    if (this.#closing !== undefined) throw new RecipeClosedError(this.name);
    const priority = checkPriority(options.priority ?? 0);
    const bytes = encodeItem(this.#serializer.serialize(item), this.#maxItemBytes);
    return this.#producer.put(bytes, priority);
  }

  /**
   * Claims the best item (at-most-once: it is deleted from the queue) and resolves with it,
   * waiting while the queue is empty. Rejects with the signal's reason, a TimeoutError
   * DOMException, or RecipeClosedError.
   */
  async take(options: TakeOptions = {}): Promise<QueueItem<T>> {
    const { item, value } = await this.#wait('take', options);
    return { id: item.name, priority: item.priority, value: value as T };
  }

  /**
   * Yields items held under a lock (at-least-once) until `signal` aborts or the queue closes.
   * Ack each one when its work is done, or nack it to give it back.
   */
  async *consume(options: { signal?: AbortSignal } = {}): AsyncGenerator<ConsumedItem<T>> {
    for (;;) {
      let delivery: Delivery;
      try {
        delivery = await this.#wait('lock', options);
      } catch (err) {
        if (err instanceof RecipeClosedError || options.signal?.aborted) return;
        throw err;
      }
      yield this.#hold(delivery);
    }
  }

  /**
   * Stops: waiting takes reject with RecipeClosedError, the line is left. Consumed items stay
   * valid (ack/nack them). Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- the mailbox ------------------------------------------------------------------------

  protected override async handle(message: QueueMessage): Promise<void> {
    switch (message.kind) {
      case 'wait':
        return this.#onWait(message.waiter);
      case 'cancel':
        this.#waiters = this.#waiters.filter((w) => w !== message.waiter);
        return this.#leaveIfNobodyWaits();
      case 'pump':
        if (!this.isStale(message.stamp)) await this.#pump();
        return;
      case 'retry':
        if (!this.isStale(message.stamp)) this.#serve('retry');
        return;
      case 'line':
        return this.#onFirstInLine(message.handle, message.stamp);
      case 'line-failed':
        if (!this.isStale(message.stamp)) this.#retryLater(message.error);
        return;
      case 'line-lost': {
        const s = this.state;
        if (s.kind === 'watching' && s.line === message.handle) this.#getInLine('line lost');
        return;
      }
      case 'watch':
        return this.#onWatch(message);
      case 'session':
        return this.#onSession(message.event);
      default: {
        const never: never = message;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  protected override onFailure({ error }: MailboxFailure<QueueMessage>): void {
    if (error instanceof RecipeClosedError) return; // a watch or timer that came after close
    this.tell('error', toError(error));
  }

  #onWait(waiter: Waiter): void {
    if (waiter.deferred.isSettled) return;
    const spare = waiter.mode === 'take' ? this.#spares.shift() : undefined;
    if (spare !== undefined) {
      if (!waiter.deferred.resolve(spare)) this.#spares.unshift(spare);
      return;
    }
    this.#waiters.push(waiter);
    if (this.state.kind === 'idle') this.#serve('a waiter came');
  }

  async #onWatch(message: WatchMessage): Promise<void> {
    const s = this.state;
    if (s.kind === 'watching' && message.generation === this.#session.generation)
      await this.#look(s.line);
  }

  async #onSession(event: SessionStateEvent): Promise<void> {
    const s = this.state;
    switch (event.state) {
      case 'lost':
        this.#listing.drop();
        return;
      case 'reconnected':
        if (s.kind === 'watching') await this.#look(s.line);
        return;
      case 'connected':
        // A new session after `lost` (HARD-CASES 13): work in flight belonged to the old one and
        // ended stale (its pump, retry timer and line messages are dropped): start over.
        if (event.generation === this.#session.generation) this.#restart('new session');
        return;
      case 'closed':
        void this.close();
        return;
      case 'suspended':
        return; // waiters wait; calls in flight fail fast and are retried
      default: {
        const never: never = event.state;
        throw new Error(`unknown session state ${String(never)}`);
      }
    }
  }

  #restart(why: string): void {
    const s = this.state;
    if (s.kind === 'idle' || s.kind === 'closed') return;
    this.#leaveLine();
    clearTimeout(this.#retryTimer);
    this.#serve(why);
  }

  // ---- serving: one claim per turn ---------------------------------------------------------

  #serve(why: string, line?: LockHandle): void {
    this.transition(line === undefined ? { kind: 'serving' } : { kind: 'serving', line }, why);
    this.mailbox.post({ kind: 'pump', stamp: this.stamp() });
  }

  /** Serves the first waiter with the best item it can claim, then posts the next turn. */
  async #pump(): Promise<void> {
    const line = this.state.kind === 'serving' ? this.state.line : undefined;
    const waiter = this.#firstWaiter();
    if (waiter === undefined) {
      void line?.release();
      this.transition({ kind: 'idle' }, 'nobody waits');
      return;
    }
    const stamp = this.stamp();
    let delivery: Delivery | undefined;
    try {
      delivery = await this.#claimBest(waiter.mode);
    } catch (err) {
      if (this.isStale(stamp)) return;
      if (isRetryable(err) || err instanceof SessionExpiredError) this.#retryLater(err, line);
      else if (err instanceof SessionClosedError) void this.close();
      else {
        this.#waiters.shift();
        waiter.deferred.reject(err); // e.g. NOAUTH: this waiter hears it, the next one tries
        this.mailbox.post({ kind: 'pump', stamp });
      }
      return;
    }
    this.#failures = 0;
    if (this.isStale(stamp)) return;
    if (delivery === undefined) {
      // Someone else took it: still first in line, so back to watching, not to the back.
      if (line !== undefined && !line.signal.aborted)
        await this.#watchWith(line, 'nothing to take; still first');
      else this.#getInLine('nothing to take');
      return;
    }
    this.#deliver(waiter, delivery);
    if (line !== undefined) {
      void line.release(); // our claim has landed: the next in line may look now
      this.transition({ kind: 'serving' }, 'claimed; line handed on');
    }
    this.mailbox.post({ kind: 'pump', stamp: this.stamp() });
  }

  #firstWaiter(): Waiter | undefined {
    while (this.#waiters[0]?.deferred.isSettled) this.#waiters.shift();
    return this.#waiters[0];
  }

  /** Hands `delivery` to `waiter`, or, if it gave up meanwhile, to whoever can still use it. */
  #deliver(waiter: Waiter, delivery: Delivery): void {
    this.#waiters = this.#waiters.filter((w) => w !== waiter);
    if (waiter.deferred.resolve(delivery)) return;
    if (waiter.mode === 'take') this.#spares.push(delivery);
    else
      void this.#hold(delivery)
        .nack()
        .catch((err: unknown) => this.tell('error', toError(err)));
  }

  /**
   * Claims the best takeable item of the listing, reading the listing again when it is older
   * than `freshnessMs` or used up. Undefined when a listing made in this call has nothing
   * takeable.
   */
  async #claimBest(mode: ClaimMode): Promise<Delivery | undefined> {
    let listed = false;
    for (;;) {
      // Also within one call: losing many races in a row must not serve from an old listing.
      if (this.#listing.ageMs > this.#freshnessMs) {
        await this.#listing.refresh();
        listed = true;
      }
      const next = this.#listing.next();
      if (next === undefined) {
        if (listed) return undefined; // a listing of this call has nothing takeable
        this.#listing.drop();
        continue;
      }
      const { item, reading } = next;
      const data = await reading;
      if (data === undefined) {
        this.#listing.lostRace();
        continue;
      }
      let value: unknown;
      try {
        value = this.#read(data, item.name);
      } catch (err) {
        if (!(err instanceof ItemFormatError)) throw err;
        this.#listing.markUnreadable(item);
        this.tell('error', err);
        continue;
      }
      const result = await claim(this.#session, this.#paths, item, mode);
      switch (result.kind) {
        case 'claimed':
          return { item, value, lock: result.lock };
        case 'locked':
          this.#listing.markLocked(item);
          break;
        case 'gone':
          this.#listing.lostRace();
          break;
        case 'uncertain':
          this.tell('error', new TakeOutcomeUnknownError(item.name, value));
          break;
        default: {
          const never: never = result;
          throw new Error(`unknown claim ${JSON.stringify(never)}`);
        }
      }
    }
  }

  readonly #read = (data: Buffer, node: string): unknown => {
    const payload = decodeItem(data, node);
    try {
      return this.#serializer.deserialize(payload);
    } catch (err) {
      throw new ItemFormatError(node, 'the serializer cannot read it', { cause: err });
    }
  };

  #hold(delivery: Delivery): ConsumedItemImpl<T> {
    const held = new ConsumedItemImpl<T>(
      {
        id: delivery.item.name,
        priority: delivery.item.priority,
        value: delivery.value as T,
        node: joinPath(this.#paths.items, delivery.item.name),
        lock: delivery.lock,
      },
      this.#session,
      (item) => this.#held.delete(item),
    );
    this.#held.add(held);
    return held;
  }

  // ---- waiting: the line at Q-consumers ---------------------------------------------------

  #getInLine(why: string): void {
    const line = new AbortController();
    this.transition({ kind: 'queuing', line }, why);
    const stamp = this.stamp();
    this.#line.acquire({ signal: line.signal }).then(
      (handle) => this.mailbox.post({ kind: 'line', handle, stamp }),
      (error: unknown) => {
        if (!line.signal.aborted) this.mailbox.post({ kind: 'line-failed', stamp, error });
      },
    );
  }

  async #onFirstInLine(handle: LockHandle, stamp: Stamp): Promise<void> {
    if (this.isStale(stamp)) {
      void handle.release(); // we left the line while the lock was being granted
      return;
    }
    handle.signal.addEventListener(
      'abort',
      () => this.mailbox.post({ kind: 'line-lost', handle }),
      { once: true },
    );
    await this.#watchWith(handle, 'first in line');
  }

  async #watchWith(handle: LockHandle, why: string): Promise<void> {
    this.transition({ kind: 'watching', line: handle }, why);
    await this.#look(handle);
  }

  /** The watcher lists with watches; something takeable ends the wait (and hands the line on). */
  async #look(handle: LockHandle): Promise<void> {
    const stamp = this.stamp();
    try {
      await this.#listing.refresh(this.#sink);
    } catch (err) {
      if (!this.isStale(stamp)) this.#retryLater(err, handle);
      return;
    }
    if (this.isStale(stamp)) return;
    // The line is handed on once the claim is done (see #pump).
    if (this.#listing.hasTakeable()) this.#serve('an item came', handle);
  }

  #leaveIfNobodyWaits(): void {
    if (this.#firstWaiter() !== undefined) return;
    const s = this.state;
    if (s.kind !== 'queuing' && s.kind !== 'watching') return; // serving: the pump sees it
    this.#leaveLine();
    this.transition({ kind: 'idle' }, 'nobody waits');
  }

  /** Gives up our place at Q-consumers, whether still waiting for it or holding it. */
  #leaveLine(): void {
    const s = this.state;
    if (s.kind === 'queuing') s.line.abort();
    else if (s.kind === 'watching' || s.kind === 'serving') void s.line?.release();
  }

  #retryLater(err: unknown, line?: LockHandle): void {
    if (!isRetryable(err) && !(err instanceof SessionExpiredError))
      this.tell('error', toError(err));
    const s = this.state;
    if (s.kind === 'queuing') s.line.abort();
    void line?.release();
    this.transition({ kind: 'retrying' }, 'a ZooKeeper call failed');
    const stamp = this.stamp();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(
      () => this.mailbox.post({ kind: 'retry', stamp }),
      backoffDelay(DEFAULT_RETRY, Math.min(this.#failures++, 10)),
    );
  }

  // ---- inputs from outside ----------------------------------------------------------------

  #wait(mode: ClaimMode, options: TakeOptions): Promise<Delivery> {
    let waiter: Waiter;
    try {
      const deferred: Deferred<Delivery> = new Deferred<Delivery>({
        ...options,
        onCancel: () => this.mailbox.post({ kind: 'cancel', waiter }),
      });
      waiter = { mode, deferred };
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closing !== undefined) waiter.deferred.reject(new RecipeClosedError(this.name));
    else this.mailbox.post({ kind: 'wait', waiter });
    return waiter.deferred.promise;
  }

  readonly #onSessionState = (event: SessionStateEvent): void => {
    // The holders of consumed items hear it first, before any queued message runs (HARD-CASES 5).
    if (event.state === 'lost')
      for (const item of [...this.#held])
        item.revoke('the session was lost: it will be redelivered');
    this.mailbox.post({ kind: 'session', event });
  };

  readonly #sink: WatchSink = (message) => this.mailbox.post(message);

  /** In the mailbox's turn: after it no handler changes anything. */
  #onClose(): Delivery[] {
    const s = this.state;
    this.#leaveLine();
    if (s.kind !== 'closed') this.transition({ kind: 'closed' }, 'closed');
    clearTimeout(this.#retryTimer);
    this.#session.off('state', this.#onSessionState);
    for (const waiter of this.#waiters) waiter.deferred.reject(new RecipeClosedError(this.name));
    this.#waiters = [];
    return this.#spares.splice(0);
  }

  async #close(): Promise<void> {
    const spares = await this.mailbox.call(() => this.#onClose());
    await this.mailbox.close({ discard: true });
    await this.#line.close();
    // Taken for a caller that gave up, never handed out: back into the queue (a new id).
    for (const spare of spares) {
      const bytes = encodeItem(this.#serializer.serialize(spare.value as T), this.#maxItemBytes);
      await this.#producer.put(bytes, spare.item.priority).catch((err: unknown) => {
        this.tell('error', toError(err));
      });
    }
  }
}
