/**
 * Leader election with Curator's LeaderLatch layout, so Node and Java processes can share one
 * election (CURATOR-COMPAT.md): each participant creates `P/_c_<uuid>-latch-<seq>`
 * (EPHEMERAL_SEQUENTIAL, protected, data = participant id); the first in line leads once it has
 * checked that the node belongs to its current session (HARD-CASES 2); the others getData-watch
 * the node just before theirs (HARD-CASES 7, 8).
 *
 * Connection states:
 * - `suspended`: under the default policy `suspend-revokes` the leader stops leading at once
 *   (signal aborted, `revoked`), because its session may be expiring while another participant
 *   is elected (HARD-CASES 3). Under `session-only` it keeps leading until `lost`. A waiting
 *   participant just waits.
 * - `reconnected`: nothing is taken on trust: list the children again, check that the own node
 *   still exists and is owned by this session, and lead again only then (a new Leadership and a
 *   new `elected`, unless `session-only` kept the old one). A missing node is created anew
 *   (HARD-CASES 9).
 * - `lost`: the leader is told first (signal aborted, `revoked`), then the participant re-joins
 *   on the next session with a new node, at the back of the line (HARD-CASES 13).
 *
 * Every input (user calls, watch triggers, session states, timers) is a mailbox message
 * (STYLE §4), with one deliberate exception: revocation. A handler may be awaiting a read that
 * the Session retries until the connection is back, and a leader must not keep its signal
 * unaborted behind it. So `suspended`/`lost`/`close()`/own-node deletion abort the signal and
 * emit `revoked` the moment they are heard; the state change follows in the mailbox's turn, and
 * a handler never elects while not connected or after `close()` was called.
 *
 * @example
 * ```ts
 * const election = new LeaderElection(session, '/services/billing/leader', { id: 'host-a' });
 * election.on('elected', (leadership) => runLeaderDuties(leadership.signal, leadership.fencingToken));
 * await election.start();
 * const leadership = await election.waitForLeadership({ timeoutMs: 30_000 });
 * await leadership.guard([{ op: 'setData', path: '/services/billing/owner', data: 'host-a' }]);
 * for await (const leader of election.observe()) console.log('leader:', leader?.leaderId);
 * await election.close(); // resigns: our node is deleted, retried until it is gone
 * ```
 */
import { Actor, Deferred, type MailboxFailure } from '../actor/index.js';
import {
  InvalidArgumentError,
  isRetryable,
  RecipeClosedError,
  SessionClosedError,
  SessionExpiredError,
  toError,
} from '../session/errors.js';
import { joinPath, nameOf, validatePath } from '../session/paths.js';
import { backoffDelay, DEFAULT_RETRY } from '../session/retry.js';
import { Session } from '../session/session.js';
import type { SessionStateEvent, WatchMessage, WatchSink } from '../session/states.js';
import { AlreadyStartedError, type RevokeReason } from './election/errors.js';
import { type Leadership, LeadershipImpl } from './election/leadership.js';
import { type ObserveOptions, observeLeader } from './election/observe.js';
import {
  LATCH_NAME,
  type LeaderInfo,
  type Participant,
  readParticipants,
} from './election/participants.js';
import {
  ELECTION_TRANSITIONS,
  type ElectionEvents,
  type ElectionMessage,
  type ElectionState,
  nodeOf,
} from './election/states.js';
import { checkOwnNode, readIfExists } from './internal/election-ownership.js';
import { listChildren, positionOf } from './internal/election-position.js';
import { NodeDeleter } from './internal/node-deleter.js';

export { AlreadyStartedError, LeadershipLostError, type RevokeReason } from './election/errors.js';
export type { Leadership } from './election/leadership.js';
export type { ObserveOptions } from './election/observe.js';
export type { LeaderInfo, Participant } from './election/participants.js';
export type { ElectionEvents, ElectionState, Revocation } from './election/states.js';

/**
 * `suspend-revokes` (default): leadership ends when the connection is suspended.
 * `session-only`: it ends only when the session is lost; an explicit opt-in to the risk of two
 * leaders during a partition (HARD-CASES 3).
 */
export type ElectionPolicy = 'suspend-revokes' | 'session-only';

export interface LeaderElectionOptions {
  /** This participant's id, stored as its node's data (UTF-8). */
  id: string;
  policy?: ElectionPolicy;
}

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Lists and re-reads in one re-check before giving up until the retry timer (churn in line). */
const MAX_ROUNDS = 5;

export class LeaderElection extends Actor<ElectionState, ElectionMessage, ElectionEvents> {
  /** Leader changes at `path`, for a process that does not take part (see observe.ts). */
  static observe(
    session: Session,
    path: string,
    options: ObserveOptions = {},
  ): AsyncGenerator<LeaderInfo | undefined, void, undefined> {
    return observeLeader(session, path, options);
  }

  readonly #session: Session;
  /** Deletes our old nodes until they are gone (HARD-CASES 10). */
  readonly #deleter: NodeDeleter;
  readonly #path: string;
  readonly #id: string;
  readonly #policy: ElectionPolicy;
  /** Paths with a one-time watch of ours still armed in this generation: never arm a second. */
  readonly #armed = new Set<string>();
  /** Our node as last read: owned by the session of `generation`, with this czxid. */
  #owned: { node: string; czxid: bigint; generation: number } | undefined;
  readonly #waiters = new Set<Deferred<Leadership>>();
  /** Re-checks failed in a row: drives the retry backoff. */
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #closing: Promise<void> | undefined;

  constructor(session: Session, path: string, options: LeaderElectionOptions) {
    if (!(session instanceof Session))
      throw new InvalidArgumentError('session', 'expected a Session');
    validatePath(path);
    if (path === '/')
      throw new InvalidArgumentError('path', 'an election needs its own node, not /');
    if (typeof options?.id !== 'string')
      throw new InvalidArgumentError('options.id', 'expected the participant id as a string');
    const policy = options.policy ?? 'suspend-revokes';
    if (policy !== 'suspend-revokes' && policy !== 'session-only')
      throw new InvalidArgumentError(
        'options.policy',
        `expected suspend-revokes or session-only, got ${String(policy)}`,
      );
    super({
      name: `LeaderElection ${path}`,
      initial: { kind: 'idle' },
      transitions: ELECTION_TRANSITIONS,
      generation: () => session.generation,
    });
    this.#session = session;
    this.#deleter = new NodeDeleter(session, (error) => this.tell('error', error));
    this.#path = path;
    this.#id = options.id;
    this.#policy = policy;
  }

  get id(): string {
    return this.#id;
  }
  get path(): string {
    return this.#path;
  }
  /** True while this participant leads and its leadership has not been revoked. */
  get isLeader(): boolean {
    return this.leadership !== undefined;
  }
  /** The current leadership, if this participant leads. */
  get leadership(): Leadership | undefined {
    const s = this.state;
    return s.kind === 'leading' && s.leadership.isActive ? s.leadership : undefined;
  }
  get isClosed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Joins the election. Resolves once this participant has its node and knows its place (or a
   * re-check failed and is being retried). Rejects with AlreadyStartedError when called twice.
   */
  start(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new RecipeClosedError(this.name));
    return this.mailbox.ask({ kind: 'start' });
  }

  /**
   * Resolves with the Leadership once this participant leads (at once if it does). Rejects with
   * the signal's reason, a `TimeoutError` DOMException, or RecipeClosedError on close.
   */
  waitForLeadership(options: WaitOptions = {}): Promise<Leadership> {
    let waiter: Deferred<Leadership>;
    try {
      waiter = new Deferred<Leadership>({
        ...options,
        onCancel: () => this.mailbox.post({ kind: 'cancel', waiter }),
      });
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#closing !== undefined) waiter.reject(new RecipeClosedError(this.name));
    else this.mailbox.post({ kind: 'wait', waiter });
    return waiter.promise;
  }

  /** Every participant in line order, read from ZooKeeper. */
  participants(): Promise<Participant[]> {
    if (this.#closing !== undefined) return Promise.reject(new RecipeClosedError(this.name));
    return readParticipants(this.#session, this.#path);
  }

  /** The current leader (first in line) read from ZooKeeper, or undefined when nobody takes part. */
  async leader(): Promise<Participant | undefined> {
    return (await this.participants())[0];
  }

  /** Leader changes of this election, as `LeaderElection.observe` on this session. */
  async *observe(
    options: ObserveOptions = {},
  ): AsyncGenerator<LeaderInfo | undefined, void, undefined> {
    if (this.#closing !== undefined) throw new RecipeClosedError(this.name);
    yield* observeLeader(this.#session, this.#path, options);
  }

  /**
   * Resigns and stops: leadership is revoked at once (reason `closed`), waiters reject with
   * RecipeClosedError, and the node is deleted. Resolves after the first delete attempt; a
   * failed one is retried in the background until the node is gone (HARD-CASES 10).
   * Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closing = this.#close();
      // Now, not in the mailbox's turn; after #closing is set, so a `revoked` listener that
      // calls close() gets the same promise.
      this.#revokeNow('closed');
    }
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- the mailbox ------------------------------------------------------------------------

  protected override async handle(message: ElectionMessage): Promise<void> {
    switch (message.kind) {
      case 'start':
        return this.#onStart();
      case 'session':
        return this.#onSession(message.event);
      case 'watch':
        return this.#onWatch(message);
      case 'retry':
        if (!this.isStale(message.stamp)) await this.#recheck();
        return;
      case 'wait':
        return this.#onWait(message.waiter);
      case 'cancel':
        this.#waiters.delete(message.waiter);
        return;
      default: {
        const never: never = message;
        throw new Error(`unknown message ${JSON.stringify(never)}`);
      }
    }
  }

  protected override onFailure({ error }: MailboxFailure<ElectionMessage>): void {
    if (error instanceof RecipeClosedError) return; // a watch or timer that came after close
    this.tell('error', toError(error));
  }

  async #onStart(): Promise<void> {
    if (this.state.kind !== 'idle') throw new AlreadyStartedError(this.name);
    if (this.#session.isClosed) throw new SessionClosedError();
    this.#session.on('state', this.#onSessionState);
    this.transition({ kind: 'joining', node: undefined }, 'started');
    await this.#recheck();
  }

  async #onSession(event: SessionStateEvent): Promise<void> {
    const s = this.state;
    if (s.kind === 'idle' || s.kind === 'closed') return;
    // A suspended/reconnected/connected of an older session: its `lost` is next in the mailbox.
    const current = event.generation === this.#session.generation;
    switch (event.state) {
      case 'suspended':
        // Connected again already: the `reconnected` queued behind this message re-checks, and
        // a leadership granted since then was granted while connected.
        if (!current || s.kind === 'suspended' || this.#session.isConnected) return;
        if (s.kind === 'leading' && this.#policy === 'session-only') return; // leads until lost
        this.#move({ kind: 'suspended', node: nodeOf(s) }, 'connection suspended', 'suspended');
        return;
      case 'reconnected':
      case 'connected':
        this.#owned = undefined; // nothing taken on trust: read our node again
        if (current) await this.#recheck();
        return;
      case 'lost':
        this.#armed.clear(); // the old session's watches are gone with it
        this.#move({ kind: 'joining', node: undefined }, 'session lost', 'lost');
        return;
      case 'closed':
        void this.close(); // a closed session cannot take part any more
        return;
      default: {
        const never: never = event.state;
        throw new Error(`unknown session state ${String(never)}`);
      }
    }
  }

  async #onWatch(message: WatchMessage): Promise<void> {
    this.#armed.delete(message.path);
    if (message.generation !== this.#session.generation) return;
    const s = this.state;
    if (
      s.kind === 'waiting' &&
      message.path === s.predecessor &&
      message.type === 'deleted' &&
      s.alone
    ) {
      // Nobody else was ahead, and nodes ahead only ever go: we are first. Our node is still
      // ours, or its armed watch would have fired first (a session's triggers come in zxid
      // order). A failover then costs no round trip.
      const czxid = this.#knownOwned(s.node);
      if (czxid !== undefined) return this.#lead(s.node, czxid);
    }
    const relevant =
      (s.kind === 'waiting' && (message.path === s.predecessor || message.path === s.node)) ||
      (s.kind === 'leading' && message.path === s.node);
    if (relevant) await this.#recheck();
  }

  /** Our node's czxid if it was read as ours in this generation and its watch is still armed. */
  #knownOwned(node: string): bigint | undefined {
    const owned = this.#owned;
    const known =
      owned !== undefined &&
      owned.node === node &&
      owned.generation === this.#session.generation &&
      this.#armed.has(node);
    return known ? owned.czxid : undefined;
  }

  #onWait(waiter: Deferred<Leadership>): void {
    if (waiter.isSettled) return;
    const leadership = this.leadership;
    if (leadership !== undefined) waiter.resolve(leadership);
    else this.#waiters.add(waiter);
  }

  /** In the mailbox's turn, for close(): after it, no handler changes anything. */
  #onClose(): { node: string | undefined } {
    const node = nodeOf(this.state);
    if (this.state.kind !== 'closed') this.#move({ kind: 'closed' }, 'closed', 'closed');
    clearTimeout(this.#retryTimer);
    this.#session.off('state', this.#onSessionState);
    for (const waiter of this.#waiters) waiter.reject(new RecipeClosedError(this.name));
    this.#waiters.clear();
    return { node };
  }

  async #close(): Promise<void> {
    const { node } = await this.mailbox.call(() => this.#onClose());
    await this.mailbox.close({ discard: true });
    if (node !== undefined) await this.#deleter.delete(node);
  }

  // ---- the re-check: where the state comes from -------------------------------------------

  /**
   * Reads the truth from ZooKeeper and moves to `leading`, `waiting` or `retrying`: create the
   * node if there is none (protected, HARD-CASES 1), check it is ours (HARD-CASES 2, 9), list
   * the line, and lead if first or watch the predecessor. After every await: if the session
   * changed (its `lost` is queued and rebuilds) or close() was called, stop (STYLE §5).
   */
  async #recheck(): Promise<void> {
    const generation = this.#session.generation;
    const moved = () => this.#session.generation !== generation || this.#closing !== undefined;
    let node = nodeOf(this.state);
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (node === undefined) {
          node = await this.#createNode();
          if (moved()) {
            // protectedCreate may have succeeded on the next session, whose node nobody would
            // ever delete: it would stand in line with no one behind it (HARD-CASES 10).
            this.#discard(node);
            return;
          }
          this.#move({ kind: 'joining', node }, 'node created', 'node-deleted');
        }
        // The own node is read (owner, watch) together with the listing, unless known already.
        const known = this.#knownOwned(node);
        const ownWatch = known === undefined ? this.#watchFor(node) : undefined;
        const [own, children] = await Promise.all([
          known === undefined
            ? checkOwnNode(this.#session, node, ownWatch)
            : ({ kind: 'known', czxid: known } as const),
          listChildren(this.#session, this.#path),
        ]);
        if (moved()) return;
        if (own.kind !== 'known') {
          if (own.kind !== 'gone' && ownWatch !== undefined) this.#armed.add(node);
          if (own.kind !== 'owned') {
            node = undefined;
            this.#move({ kind: 'joining', node }, `own node ${own.kind}`, 'node-deleted');
            continue;
          }
          this.#owned = { node, czxid: own.stat.czxid, generation };
        }
        const czxid = own.kind === 'known' ? own.czxid : own.stat.czxid;
        const position = positionOf(children, nameOf(node), LATCH_NAME);
        if (position.kind === 'absent') {
          node = undefined; // deleted since we read it; its watch trigger is on its way
          this.#move({ kind: 'joining', node }, 'own node not listed', 'node-deleted');
          continue;
        }
        if (position.kind === 'first') {
          this.#lead(node, czxid);
          return;
        }
        const predecessor = joinPath(this.#path, position.predecessor);
        const watch = this.#watchFor(predecessor);
        const found = await readIfExists(this.#session, predecessor, watch);
        if (moved()) return;
        if (found !== undefined) {
          if (watch !== undefined) this.#armed.add(predecessor);
          this.#wait(node, predecessor, position.index === 1);
          return;
        }
        // The predecessor went between the listing and the watch (HARD-CASES 8): if it was the
        // only one ahead we are first (nodes ahead only ever go), otherwise list again.
        if (position.index === 1) {
          this.#lead(node, czxid);
          return;
        }
      }
      this.#retryLater(node);
    } catch (err) {
      if (moved()) return;
      if (err instanceof SessionClosedError) {
        void this.close();
        return;
      }
      if (!isRetryable(err) && !(err instanceof SessionExpiredError))
        this.tell('error', toError(err));
      this.#retryLater(node);
    }
  }

  async #createNode(): Promise<string> {
    const created = await this.#session.createProtected(this.#path, LATCH_NAME, this.#id, {
      mode: 'ephemeralSequential',
      createParents: true,
    });
    return created.path;
  }

  #discard(node: string): void {
    void this.#deleter.delete(node);
  }

  #lead(node: string, fencingToken: bigint): void {
    this.#failures = 0;
    const s = this.state;
    if (s.kind === 'leading' && s.node === node && s.leadership.isActive) return; // still leads
    // Never take leadership while not connected: a `suspended` or `lost` is queued behind us.
    if (!this.#session.isConnected) {
      this.#move({ kind: 'suspended', node }, 'first, but not connected', 'suspended');
      return;
    }
    const leadership = new LeadershipImpl(this.#session, this.#id, node, fencingToken);
    this.#move({ kind: 'leading', node, leadership }, 'first in line, node owned', 'not-first');
    this.tell('elected', leadership);
    for (const waiter of this.#waiters) waiter.resolve(leadership);
    this.#waiters.clear();
  }

  #wait(node: string, predecessor: string, alone: boolean): void {
    this.#failures = 0;
    const s = this.state;
    if (
      s.kind === 'waiting' &&
      s.node === node &&
      s.predecessor === predecessor &&
      s.alone === alone
    )
      return;
    this.#move(
      { kind: 'waiting', node, predecessor, alone },
      `behind ${nameOf(predecessor)}`,
      'not-first',
    );
  }

  #retryLater(node: string | undefined): void {
    const s = this.state;
    // A leader whose re-check failed keeps leading: the connection states decide (policy).
    if (!(s.kind === 'leading' && s.leadership.isActive))
      this.#move({ kind: 'retrying', node }, 're-check failed', 'not-first');
    const stamp = this.stamp();
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(
      () => this.mailbox.post({ kind: 'retry', stamp }),
      backoffDelay(DEFAULT_RETRY, Math.min(this.#failures++, 10)),
    );
  }

  // ---- leaving leadership -----------------------------------------------------------------

  /** Every move goes here: leaving `leading` (or replacing its leadership) revokes it first. */
  #move(next: ElectionState, why: string, revokeAs: RevokeReason): void {
    const s = this.state;
    if (s.kind === 'leading' && !(next.kind === 'leading' && next.leadership === s.leadership))
      this.#revoke(s.leadership, revokeAs);
    this.transition(next, why);
  }

  #revokeNow(reason: RevokeReason): void {
    const s = this.state;
    if (s.kind === 'leading') this.#revoke(s.leadership, reason);
  }

  #revoke(leadership: LeadershipImpl, reason: RevokeReason): void {
    if (leadership.end(reason)) this.tell('revoked', { leadership, reason });
  }

  /** Session states: revocation now (see the header), the rest in the mailbox's turn. */
  readonly #onSessionState = (event: SessionStateEvent): void => {
    if (event.state === 'lost') this.#revokeNow('lost');
    if (event.state === 'closed') this.#revokeNow('closed');
    if (event.state === 'suspended' && this.#policy === 'suspend-revokes')
      this.#revokeNow('suspended');
    this.mailbox.post({ kind: 'session', event });
  };

  /** Watch triggers: a deleted own node ends leadership now; the re-check follows in turn. */
  readonly #sink: WatchSink = (message) => {
    const s = this.state;
    if (message.type === 'deleted' && s.kind === 'leading' && message.path === s.node)
      this.#revokeNow('node-deleted');
    this.mailbox.post(message);
  };

  #watchFor(path: string): WatchSink | undefined {
    return this.#armed.has(path) ? undefined : this.#sink;
  }
}
