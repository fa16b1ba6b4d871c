/**
 * The contention engine: one contender waiting in line behind sequential nodes under a path,
 * then holding, for as many entrants of one owner as ask (Curator's LockInternals, STYLE §1).
 * Mutex, the read/write locks and the semaphore's internal mutex are this engine with a driver
 * (contenders.ts); LeaderElection can be too.
 *
 * API (all a recipe needs):
 * - `enter({ signal, timeoutMs })` waits in line and resolves a `Tenure` (node, fencing token,
 *   signal). While held, further `enter`s of the same engine resolve the same tenure at once
 *   (re-entry); `tryEnter()` resolves `undefined` instead of waiting.
 * - `leave(tenure)` gives one entry back; the last one deletes the node (in the background
 *   until it is gone, HARD-CASES 10). Resolves after the first delete attempt.
 * - `close()` gives everything up and resolves once every node of ours is gone; `settled()`
 *   waits for pending deletes only.
 * - Events: `acquired`, `released`, `lost` (the tenure's signal aborted), `error`.
 *
 * It is an actor (STYLE §4): user calls, watch triggers, session states and the results of its
 * own ZooKeeper calls are all messages of one mailbox. Handlers never await ZooKeeper: they
 * start a call and the result comes back as a message stamped with the state it was started in,
 * and dropped when stale (STYLE §5). Waiting is the `waiting` state.
 *
 *   idle -> creating -> checking -> waiting -> checking -> holding -> idle (last leave)
 *   waiting -> holding: the watched node went and the last look says that makes us first
 *   checking -> creating: own node gone or not ours (HARD-CASES 2, 9); waiting -> creating too
 *   any -> paused on a connection failure or `lost`; paused -> checking/creating when back
 *
 * Rules: protected create (HARD-CASES 1); the line ordered by sequence in issue order (15); a
 * waiter `getData`-watches only the node its driver names, and NONODE or a trigger means "list
 * again" (7, 8); holding only when the own node's `ephemeralOwner` is the current session (2).
 *
 * Round trips (a hand-off is what a lock's throughput is made of):
 * - the listing is sent right behind the create, and the create2 reply tells the node's owner
 *   and czxid: an uncontended acquire is one round trip;
 * - a waiter reads its own node (owner, and a watch) together with the node it watches;
 * - when the watched node goes and the last listing had nothing else ahead, the waiter holds
 *   without listing again (contention-reads.ts `holdsWithout`);
 * - a holder that has no watch on its node yet arms it once the hold passes
 *   ARM_OWN_WATCH_AFTER_MS.
 *
 * Session states (STYLE §6):
 * - `suspended`: a holder's signal aborts with LockLostError('suspended') and `lost` is emitted,
 *   unless `abortOn: 'lost'`; the node stays until the holder leaves. Waiters keep their place.
 * - `reconnected`: waiters list again and re-arm their watch; a holder checks that its node is
 *   still there and ours (a delete during the disconnect would be missed otherwise, 12).
 * - `lost`: first the holder's signal aborts with LockLostError('expired') and `lost` is emitted,
 *   then waiters wait for the next session and get in line again with a new node.
 */
import { Actor, type Stamp } from '../../actor/actor.js';
import { Deferred } from '../../actor/deferred.js';
import type { MailboxFailure } from '../../actor/mailbox.js';
import {
  isRetryable,
  RecipeClosedError,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
} from '../../session/errors.js';
import { nameOf, validatePath } from '../../session/paths.js';
import { backoffDelay, DEFAULT_RETRY } from '../../session/retry.js';
import type { Session } from '../../session/session.js';
import type { SessionStateEvent, WatchMessage } from '../../session/states.js';
import type { Stat } from '../../session/transport/types.js';
import type { LockLostError, LossReason } from '../lock-errors.js';
import type { ContentionDriver } from './contenders.js';
import {
  holdsWithout,
  type Inspection,
  inspect,
  type OwnNode,
  readOwnership,
} from './contention-reads.js';
import { Effects } from './effects.js';
import { HeldNode, type Tenure } from './held-node.js';
import { NodeDeleter } from './node-deleter.js';
import type { SequencedNode } from './sequence.js';

export type { Tenure } from './held-node.js';

/** How long a hold lasts before the watch on the held node is armed (see `#hold`). */
export const ARM_OWN_WATCH_AFTER_MS = 10;

/** A tenure of this engine: a held node plus the entries not yet given back (re-entry). */
class HeldTenure extends HeldNode {
  entries = 0;
}

/** One `enter` (waits) or `tryEnter` (does not) in progress. */
interface Entrant {
  readonly deferred: Deferred<Tenure | undefined>;
  readonly waits: boolean;
}

export type ContentionState =
  | { kind: 'idle' }
  | { kind: 'creating'; entrants: Entrant[] }
  /**
   * `triggered`: paths whose watch fired while the look was in flight. The look's own watch can
   * fire before its answer is handled (the trigger is posted at once, the answer a few
   * promise steps later): waiting on such a path would wait forever.
   */
  | {
      kind: 'checking';
      node: string;
      entrants: Entrant[];
      triggered: string[];
    }
  /** `line`: as listed by the last look; `own`: our node, its owner read and its watch armed. */
  | {
      kind: 'waiting';
      node: string;
      watched: string;
      entrants: Entrant[];
      own: OwnNode;
      line: readonly SequencedNode[];
    }
  /** `queued`: entrants that came after the tenure was revoked; they get a new node. */
  | { kind: 'holding'; tenure: HeldTenure; queued: Entrant[] }
  /** Waiting for the session; `node` is kept across a disconnect, dropped with the session. */
  | { kind: 'paused'; node: string | undefined; entrants: Entrant[] }
  | { kind: 'closed' };

const TRANSITIONS = {
  idle: ['creating', 'closed'],
  creating: ['creating', 'checking', 'paused', 'idle', 'closed'],
  checking: ['checking', 'waiting', 'holding', 'creating', 'paused', 'idle', 'closed'],
  waiting: ['checking', 'holding', 'creating', 'paused', 'idle', 'closed'],
  holding: ['idle', 'creating', 'paused', 'closed'],
  paused: ['checking', 'creating', 'paused', 'idle', 'closed'],
  closed: [],
} as const satisfies Record<ContentionState['kind'], readonly ContentionState['kind'][]>;

type ContentionMessage =
  | { kind: 'enter'; entrant: Entrant }
  | { kind: 'cancel'; entrant: Entrant }
  /** `stat`: from the create2 reply; `children`: the listing sent right behind the create. */
  | {
      kind: 'created';
      stamp: Stamp;
      node: string;
      stat: Stat | undefined;
      children: string[] | undefined;
    }
  | { kind: 'inspected'; stamp: Stamp; inspection: Inspection }
  | { kind: 'verified'; stamp: Stamp; owned: boolean }
  | { kind: 'failed'; stamp: Stamp; error: unknown }
  | { kind: 'retry'; stamp: Stamp }
  /** Time to arm the watch on the node we hold (ARM_OWN_WATCH_AFTER_MS). */
  | { kind: 'arm'; stamp: Stamp }
  | { kind: 'session'; event: SessionStateEvent }
  | WatchMessage;

export interface ContentionEvents {
  /** A new tenure began (not emitted for re-entries). */
  acquired: [Tenure];
  /** The last entry was given back; the node is being deleted. */
  released: [Tenure];
  /** The tenure's signal aborted: the holder must stop acting on it. */
  lost: [Tenure, LockLostError];
  /** A background failure with no caller to tell (e.g. a delete refused with NOAUTH). */
  error: [Error];
}

export interface ContentionOptions {
  readonly session: Session;
  /** The lock path: contenders are its children. */
  readonly path: string;
  readonly driver: ContentionDriver;
  /** Data of our nodes. */
  readonly data?: Uint8Array | string;
  /** Abort a holder's signal on `suspended` (default, HARD-CASES 3) or only on `lost`. */
  readonly abortOn?: 'suspended' | 'lost';
  /** Names the engine in errors and logs. */
  readonly name?: string;
}

export class Contention extends Actor<ContentionState, ContentionMessage, ContentionEvents> {
  readonly path: string;
  readonly #session: Session;
  readonly #driver: ContentionDriver;
  readonly #data: Uint8Array | string | undefined;
  readonly #abortOn: 'suspended' | 'lost';
  readonly #deleter: NodeDeleter;
  readonly #effects = new Effects<ContentionMessage>((message) => this.#deliver(message));
  readonly #sink = (message: WatchMessage): void => this.#deliver(message);
  readonly #onSessionState = (event: SessionStateEvent): void =>
    this.#deliver({ kind: 'session', event });

  constructor(options: ContentionOptions) {
    validatePath(options.path);
    const name = options.name ?? `Contention ${options.path}`;
    super({
      name,
      initial: { kind: 'idle' },
      transitions: TRANSITIONS,
      generation: () => options.session.generation,
    });
    this.path = options.path;
    this.#session = options.session;
    this.#driver = options.driver;
    this.#data = options.data;
    this.#abortOn = options.abortOn ?? 'suspended';
    this.#deleter = new NodeDeleter(options.session, (error) => this.emit('error', error));
    this.#session.on('state', this.#onSessionState);
  }

  /** True while a tenure is held and its signal has not aborted. */
  get isHolding(): boolean {
    const s = this.state;
    return s.kind === 'holding' && !s.tenure.isRevoked;
  }

  /** Waits in line; resolves the tenure. Rejects with `signal.reason` (nothing created) if aborted. */
  enter(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<Tenure> {
    return this.#enter(true, options) as Promise<Tenure>;
  }

  /** Resolves the tenure if it can be had without waiting, otherwise `undefined`. */
  tryEnter(): Promise<Tenure | undefined> {
    return this.#enter(false, {});
  }

  /** Gives one entry of `tenure` back. Idempotence is the caller's: each entry once. */
  async leave(tenure: Tenure): Promise<void> {
    try {
      const { deleted } = await this.mailbox.call(() => this.#leave(tenure));
      await deleted;
    } catch (err) {
      // Closed meanwhile: close() deleted the node.
      if (!(err instanceof RecipeClosedError)) throw err;
    }
  }

  /** Resolves once every node this engine deleted is gone. */
  settled(): Promise<void> {
    return this.#deleter.settled();
  }

  /** Rejects waiting entrants, revokes a tenure, deletes our node; resolves once it is gone. */
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
    await this.#deleter.settled();
  }

  async #enter(
    waits: boolean,
    options: { signal?: AbortSignal; timeoutMs?: number },
  ): Promise<Tenure | undefined> {
    if (options.signal?.aborted) throw options.signal.reason;
    const entrant: Entrant = {
      waits,
      deferred: new Deferred<Tenure | undefined>({
        ...options,
        onCancel: () => this.#deliver({ kind: 'cancel', entrant }),
      }),
    };
    if (!this.mailbox.post({ kind: 'enter', entrant }))
      entrant.deferred.reject(new RecipeClosedError(this.name));
    return entrant.deferred.promise;
  }

  // ---- the state machine -------------------------------------------------------------------

  protected handle(m: ContentionMessage): void {
    switch (m.kind) {
      case 'enter':
        this.#onEnter(m.entrant);
        return;
      case 'cancel':
        this.#onCancel(m.entrant);
        return;
      case 'created':
        if (this.isStale(m.stamp)) {
          // Nobody waits for this node any more (aborted, lost, closed): it must not stay.
          void this.#deleter.delete(m.node);
          return;
        }
        this.#onCreated(m);
        return;
      case 'inspected':
        if (!this.isStale(m.stamp)) this.#onInspected(m.inspection);
        return;
      case 'verified':
        if (!this.isStale(m.stamp)) this.#onVerified(m.owned);
        return;
      case 'failed':
        if (!this.isStale(m.stamp)) this.#onFailed(m.error);
        return;
      case 'retry':
        if (!this.isStale(m.stamp) && this.#session.isConnected) this.#resume();
        return;
      case 'arm':
        if (!this.isStale(m.stamp) && this.state.kind === 'holding')
          this.#verify(this.state.tenure);
        return;
      case 'session':
        this.#onSession(m.event);
        return;
      case 'watch':
        this.#onWatch(m);
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  protected onFailure(failure: MailboxFailure<ContentionMessage>): void {
    if (failure.error instanceof RecipeClosedError) return;
    this.emit(
      'error',
      failure.error instanceof Error ? failure.error : new Error(String(failure.error)),
    );
  }

  #onEnter(entrant: Entrant): void {
    if (entrant.deferred.isSettled) return; // gave up while queued; its cancel follows
    const s = this.state;
    switch (s.kind) {
      case 'idle':
        this.#create([entrant], 'enter');
        return;
      case 'creating':
      case 'checking':
      case 'paused':
        s.entrants.push(entrant);
        return;
      case 'waiting':
        if (entrant.waits) s.entrants.push(entrant);
        else entrant.deferred.resolve(undefined);
        return;
      case 'holding':
        // Re-entry of the same owner (Curator semantics), unless the tenure is revoked: then
        // this entrant waits for a new node once the old tenure is given back.
        if (s.tenure.isRevoked) s.queued.push(entrant);
        else if (entrant.deferred.resolve(s.tenure)) s.tenure.entries += 1;
        return;
      case 'closed':
        entrant.deferred.reject(new RecipeClosedError(this.name));
        return;
    }
  }

  #onCancel(entrant: Entrant): void {
    const s = this.state;
    if (s.kind === 'holding') {
      s.queued = s.queued.filter((e) => e !== entrant);
      return;
    }
    if (s.kind === 'idle' || s.kind === 'closed') return;
    s.entrants = s.entrants.filter((e) => e !== entrant);
    // The last one gave up: leave the line (an aborted acquire deletes its node).
    if (s.entrants.length === 0) void this.#abandon('node' in s ? s.node : undefined, 'cancelled');
  }

  #onCreated(m: Extract<ContentionMessage, { kind: 'created' }>): void {
    const s = this.state;
    if (s.kind !== 'creating') return void this.#deleter.delete(m.node);
    // The create2 reply says whose the node is; no read needed to know it (HARD-CASES 2).
    const known =
      m.stat !== undefined && m.stat.ephemeralOwner === this.#session.sessionId
        ? { node: m.node, czxid: m.stat.czxid, watched: false }
        : undefined;
    // A listing without our node was taken before the create landed (a retried create): unusable.
    const listed = m.children?.includes(nameOf(m.node)) ? m.children : undefined;
    this.#inspect(m.node, s.entrants, 'created', known, listed);
  }

  #onInspected(inspection: Inspection): void {
    const s = this.state;
    if (s.kind !== 'checking') return;
    switch (inspection.kind) {
      case 'missing':
        // Deleted by someone, or its parent container went (HARD-CASES 9): get in line again.
        this.#create(s.entrants, 'own node gone');
        return;
      case 'foreign':
        // Listed, but of another session (HARD-CASES 2): never hold through it.
        void this.#deleter.delete(s.node);
        this.#create(s.entrants, 'own node of another session');
        return;
      case 'again':
        this.#inspect(
          s.node,
          s.entrants,
          'watched node gone',
          this.#unlessTriggered(inspection.own, s.triggered),
        );
        return;
      case 'waits': {
        const own = this.#unlessTriggered(inspection.own, s.triggered);
        if (s.triggered.includes(inspection.watched))
          this.#inspect(s.node, s.entrants, 'watched node changed while looking', own);
        else this.#wait(s.node, inspection.watched, s.entrants, own, inspection.line);
        return;
      }
      case 'holds':
        this.#hold(s.node, this.#unlessTriggered(inspection.own, s.triggered), s.entrants);
        return;
    }
  }

  #onVerified(owned: boolean): void {
    const s = this.state;
    if (s.kind !== 'holding') return;
    if (!owned) this.#revoke(s.tenure, 'deleted');
  }

  #onFailed(error: unknown): void {
    const s = this.state;
    if (s.kind !== 'creating' && s.kind !== 'checking') return; // a failed verify: the next reconnect verifies again
    const node = s.kind === 'checking' ? s.node : undefined;
    if (error instanceof ZkError && error.code === 'NONODE') {
      this.#create(s.entrants, 'lock path gone'); // our node went with the container
      return;
    }
    if (isRetryable(error) || error instanceof SessionExpiredError) {
      this.#pause(node, s.entrants, 'connection', backoffDelay(DEFAULT_RETRY, 4));
      return;
    }
    // Cannot succeed by waiting (NOAUTH, closed session...): tell every caller.
    for (const e of s.entrants) e.deferred.reject(error);
    void this.#abandon(node, 'failed');
  }

  #onSession(event: SessionStateEvent): void {
    const s = this.state;
    switch (event.state) {
      case 'suspended':
        if (s.kind === 'holding' && this.#abortOn === 'suspended')
          this.#revoke(s.tenure, 'suspended');
        return;
      case 'reconnected':
        // Watches may have missed events during the disconnect: read again (HARD-CASES 12).
        if (s.kind === 'checking' || s.kind === 'waiting')
          this.#inspect(s.node, s.entrants, 'reconnected', undefined);
        else if (s.kind === 'paused') this.#resume();
        else if (s.kind === 'holding') this.#verify(s.tenure);
        return;
      case 'lost':
        if (s.kind === 'holding') {
          // The holder hears it before anything else happens here (HARD-CASES 5).
          this.#revoke(s.tenure, 'expired');
          this.#pause(undefined, s.queued, 'session lost');
          return;
        }
        if (s.kind === 'idle' || s.kind === 'closed') return;
        this.#pause(undefined, s.entrants, 'session lost');
        return;
      case 'connected':
        if (s.kind === 'paused') this.#resume();
        return;
      case 'closed':
        this.#shutdown(new SessionClosedError());
        return;
    }
  }

  #onWatch(m: WatchMessage): void {
    const s = this.state;
    const own = s.kind === 'holding' ? s.tenure.node : 'node' in s ? s.node : undefined;
    if (m.path === own) {
      if (s.kind === 'holding') {
        if (m.type === 'deleted') this.#revoke(s.tenure, 'deleted');
        else this.#verify(s.tenure); // a data change used the watch up: re-arm it
      } else if (m.type === 'deleted' && (s.kind === 'waiting' || s.kind === 'checking')) {
        this.#create(s.entrants, 'own node deleted'); // HARD-CASES 9
      } else if (s.kind === 'waiting') {
        s.own = { ...s.own, watched: false }; // a data change used the watch up
      } else if (s.kind === 'checking') {
        s.triggered.push(m.path);
      }
      return;
    }
    if (s.kind === 'checking') s.triggered.push(m.path);
    // Any other trigger is from an older watch: only the one we wait on matters (HARD-CASES 7).
    else if (s.kind === 'waiting' && m.path === s.watched) this.#onWatchedNode(s, m.type);
  }

  /**
   * The node we wait on changed. If it is gone and the last look's line says that makes us hold,
   * hold without listing: a hand-off then costs no round trip. Our node is still there and ours,
   * or its armed watch would have fired first (a session's triggers come in zxid order).
   */
  #onWatchedNode(
    s: Extract<ContentionState, { kind: 'waiting' }>,
    type: WatchMessage['type'],
  ): void {
    if (
      type === 'deleted' &&
      s.own.watched &&
      holdsWithout(this.#driver, s.line, s.node, s.watched)
    ) {
      this.#hold(s.node, s.own, s.entrants);
      return;
    }
    this.#inspect(s.node, s.entrants, type, s.own);
  }

  /** `own`, unless its watch fired while a look was in flight (then it must be read again). */
  #unlessTriggered(own: OwnNode, triggered: readonly string[]): OwnNode {
    return triggered.includes(own.node) ? { ...own, watched: false } : own;
  }

  // ---- moves -------------------------------------------------------------------------------

  #create(entrants: Entrant[], reason: string): void {
    this.transition({ kind: 'creating', entrants }, reason);
    const stamp = this.stamp();
    const created = this.#session.createProtected(this.path, this.#driver.marker, this.#data, {
      mode: 'ephemeralSequential',
      createParents: true,
    });
    // Sent right behind the create on the same session, so the server answers it after the
    // create: the first look needs no round trip of its own.
    const listed = this.#session.getChildren(this.path).then(
      ({ children }) => children,
      () => undefined,
    );
    this.#effect(
      created.then(async ({ path, stat }) => ({
        kind: 'created',
        stamp,
        node: path,
        stat,
        children: await listed,
      })),
      stamp,
    );
  }

  /** Looks at the line; `known`: our node's owner if known already, `children`: a fresh listing. */
  #inspect(
    node: string,
    entrants: Entrant[],
    reason: string,
    known: OwnNode | undefined,
    children?: readonly string[],
  ): void {
    this.transition({ kind: 'checking', node, entrants, triggered: [] }, reason);
    const stamp = this.stamp();
    this.#effect(
      inspect(this.#session, {
        path: this.path,
        driver: this.#driver,
        node,
        sink: this.#sink,
        known,
        children,
      }).then((inspection) => ({ kind: 'inspected', stamp, inspection })),
      stamp,
    );
  }

  #wait(
    node: string,
    watched: string,
    entrants: Entrant[],
    own: OwnNode,
    line: readonly SequencedNode[],
  ): void {
    const waiting = entrants.filter((e) => e.waits);
    const notWaiting = () => {
      for (const e of entrants) if (!e.waits) e.deferred.resolve(undefined);
    };
    if (waiting.length === 0) {
      // tryEnter leaves no node behind: it resolves once the delete was tried.
      void this.#abandon(node, 'try: not first').then(notWaiting);
      return;
    }
    notWaiting();
    this.transition(
      { kind: 'waiting', node, watched, entrants: waiting, own, line },
      `watching ${watched}`,
    );
  }

  #hold(node: string, own: OwnNode, entrants: Entrant[]): void {
    const tenure = new HeldTenure(node, own.czxid);
    this.transition({ kind: 'holding', tenure, queued: [] }, 'first in line');
    for (const e of entrants) if (e.deferred.resolve(tenure)) tenure.entries += 1;
    if (tenure.entries === 0) {
      // Everyone gave up in the meantime: give the lock back at once.
      void this.#deleter.delete(node);
      this.transition({ kind: 'idle' }, 'nobody took it');
      return;
    }
    this.emit('acquired', tenure);
    if (own.watched) return;
    // Held on what the create2 reply said, with no watch on our node yet. Arming it costs a read
    // and a notification, 15% of an uncontended acquire/release cycle; most holds are over
    // sooner. So it is armed once the hold passes ARM_OWN_WATCH_AFTER_MS: the read that arms it
    // also sees a delete made before, so the holder hears of one within that time plus a round
    // trip (HARD-CASES 5).
    const stamp = this.stamp();
    setTimeout(() => this.#deliver({ kind: 'arm', stamp }), ARM_OWN_WATCH_AFTER_MS).unref();
  }

  #leave(tenure: Tenure): { deleted: Promise<void> } {
    const s = this.state;
    // A tenure of a lost session, or of a closed engine: its node is gone or being deleted.
    if (s.kind !== 'holding' || s.tenure !== tenure) return { deleted: Promise.resolve() };
    s.tenure.entries -= 1;
    if (s.tenure.entries > 0) return { deleted: Promise.resolve() };
    const deleted = this.#deleter.delete(tenure.node);
    if (s.queued.length > 0) this.#create(s.queued, 'released; queued entrants');
    else this.transition({ kind: 'idle' }, 'released');
    this.emit('released', tenure);
    return { deleted };
  }

  /** Leaves the line: deletes `node` (resolves after the first attempt) and goes idle. */
  #abandon(node: string | undefined, reason: string): Promise<void> {
    const deleted = node === undefined ? Promise.resolve() : this.#deleter.delete(node);
    this.transition({ kind: 'idle' }, reason);
    return deleted;
  }

  #pause(node: string | undefined, entrants: Entrant[], reason: string, retryMs?: number): void {
    if (entrants.length === 0) {
      void this.#abandon(node, reason);
      return;
    }
    this.transition({ kind: 'paused', node, entrants }, reason);
    if (retryMs === undefined) return; // `connected` resumes
    const stamp = this.stamp();
    setTimeout(() => this.#deliver({ kind: 'retry', stamp }), retryMs).unref();
  }

  #resume(): void {
    const s = this.state;
    if (s.kind !== 'paused') return;
    if (s.node === undefined) this.#create(s.entrants, 'resumed');
    else this.#inspect(s.node, s.entrants, 'resumed', undefined);
  }

  #verify(tenure: HeldTenure): void {
    const stamp = this.stamp();
    this.#effect(
      readOwnership(this.#session, tenure.node, this.#sink).then((owner) => ({
        kind: 'verified',
        stamp,
        owned: owner.kind === 'ours',
      })),
      stamp,
    );
  }

  #revoke(tenure: HeldTenure, reason: LossReason): void {
    const error = tenure.revoke(reason);
    if (error !== undefined) this.emit('lost', tenure, error);
  }

  #shutdown(error: Error): void {
    const s = this.state;
    if (s.kind === 'closed') return;
    if (s.kind === 'holding') {
      this.#revoke(s.tenure, 'closed');
      void this.#deleter.delete(s.tenure.node);
      for (const e of s.queued) e.deferred.reject(error);
    } else if (s.kind !== 'idle') {
      for (const e of s.entrants) e.deferred.reject(error);
      if ('node' in s && s.node !== undefined) void this.#deleter.delete(s.node);
    }
    this.transition({ kind: 'closed' }, error.message);
  }

  // ---- effects: ZooKeeper calls whose results come back as messages --------------------------

  #effect(work: Promise<ContentionMessage>, stamp: Stamp): void {
    this.#effects.run(work, (error) => ({ kind: 'failed', stamp, error }));
  }

  #deliver(message: ContentionMessage): void {
    if (!this.mailbox.isClosed) {
      this.mailbox.post(message);
      return;
    }
    // Closed: a node created too late must still go. Anything else has nobody to tell.
    if (message.kind === 'created') void this.#deleter.delete(message.node);
  }
}
