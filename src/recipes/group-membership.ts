/**
 * GroupMembership: who is in a group, and being in it. Curator's GroupMember layout
 * (CURATOR-COMPAT.md): each member is `<group>/<memberId>`, EPHEMERAL, not protected, its data
 * the member's payload, so Java GroupMembers and this class see the same group.
 *
 * ```ts
 * const group = new GroupMembership(session, '/groups/workers', { memberId: 'worker-7' });
 * group.on('change', ({ added, removed }) => console.log('+', added.map((m) => m.id), '-', removed.map((m) => m.id)));
 * await group.join('{"capacity":4}'); // also starts observing
 * console.log(group.members());      // [{ id: 'worker-7', data: <Buffer ...> }, ...]
 * for await (const members of group) rebalance(members); // current members, then each change
 * await group.leave();
 * ```
 *
 * Promise: the member list converges to the live members. The list is a ChildrenCache of the
 * group node; the own member is a PersistentNode, re-created after someone deletes it and
 * after the session expires (HARD-CASES 9, 13).
 *
 * Session states (STYLE §6), through those two building blocks:
 * - `suspended`: the list is kept but may be stale; the own node may or may not still exist.
 * - `reconnected`: the list is re-read (changes meanwhile arrive as one `change`); the own node
 *   is checked (ours? latest data?) and re-created if gone.
 * - `lost`: the own node is gone with the session; the list keeps it until the new session's
 *   re-read, by which time the own node is being created again.
 * - session `closed`: the group closes.
 */

import { randomUUID } from 'node:crypto';
import { Actor, type TransitionTable } from '../actor/actor.js';
import type { MailboxFailure } from '../actor/mailbox.js';
import { InvalidArgumentError, InvariantError, RecipeClosedError } from '../session/errors.js';
import { joinPath, validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import { type ChildData, ChildrenCache, type ChildrenChange } from './children-cache.js';
import type { WaitOptions } from './internal/cache-actor.js';
import type { WatchModeOption } from './internal/cache-reader.js';
import { PersistentNode } from './persistent-node.js';

export interface Member {
  readonly id: string;
  readonly data: Buffer;
}

export interface MembershipChange {
  readonly added: readonly Member[];
  readonly removed: readonly Member[];
  /** Members whose data changed (or whose node was re-created). */
  readonly updated: readonly Member[];
  /** Every member after the change, ordered by id. */
  readonly members: readonly Member[];
}

export interface GroupMembershipEvents {
  /** The member list changed. */
  change: [MembershipChange];
  /** A failure with nobody to reject, from the list or the own node; both keep going. */
  error: [Error];
}

export interface GroupMembershipOptions {
  /** This process's id in the group: a node name (no `/`). Default: a random UUID. */
  memberId?: string;
  /** How the member list is watched (see ChildrenCache). */
  watchMode?: WatchModeOption;
}

export type GroupMembershipState =
  | { kind: 'observing' }
  | { kind: 'joined'; node: PersistentNode }
  | { kind: 'closed' };

const TRANSITIONS: TransitionTable<GroupMembershipState['kind']> = {
  observing: ['joined', 'closed'],
  joined: ['observing', 'closed'],
  closed: [],
};

export class GroupMembership extends Actor<GroupMembershipState, never, GroupMembershipEvents> {
  readonly path: string;
  readonly memberId: string;
  readonly #session: Session;
  readonly #cache: ChildrenCache;
  // The cache closes itself when the session closes; the group follows.
  readonly #onSessionClosed = () => void this.close().catch(() => undefined);

  /** Throws InvalidArgumentError for a bad group path or member id. */
  constructor(session: Session, path: string, options: GroupMembershipOptions = {}) {
    validatePath(path);
    const memberId = options.memberId ?? randomUUID();
    if (typeof memberId !== 'string' || memberId.includes('/'))
      throw new InvalidArgumentError(
        'memberId',
        `expected a node name without "/", got ${String(memberId)}`,
      );
    validatePath(joinPath(path, memberId), { argument: 'memberId' });
    super({
      name: `GroupMembership ${path}`,
      initial: { kind: 'observing' },
      transitions: TRANSITIONS,
      generation: () => session.generation,
    });
    this.path = path;
    this.memberId = memberId;
    this.#session = session;
    this.#cache = new ChildrenCache(session, path, { watchMode: options.watchMode ?? 'auto' });
    this.#cache.on('change', (change) => this.emit('change', toMembershipChange(change)));
    this.#cache.on('error', (error) => this.emit('error', error));
    session.once('closed', this.#onSessionClosed);
  }

  /** True while this process is joined (its node is kept, even while it is being re-created). */
  get isMember(): boolean {
    return this.state.kind === 'joined';
  }

  /** The members as last read, ordered by id. */
  members(): Member[] {
    return toMembers(this.#cache.children);
  }

  /** Starts observing (idempotent); resolves after the first read of the group. */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.state.kind === 'closed') return Promise.reject(new RecipeClosedError(this.name));
    return this.#cache.start(options);
  }

  /**
   * Joins with `data` as payload (joined already: replaces the payload) and starts observing.
   * Resolves once the member node exists and the group was read; rejects with
   * RecipeClosedError if `leave()` or `close()` came first.
   */
  async join(
    data: Uint8Array | string = new Uint8Array(0),
    options: WaitOptions = {},
  ): Promise<void> {
    const node = await this.mailbox.call(async () => {
      const state = this.state;
      if (state.kind === 'closed') throw new RecipeClosedError(this.name);
      if (state.kind === 'joined') {
        await state.node.setData(data);
        return state.node;
      }
      const node = new PersistentNode(this.#session, joinPath(this.path, this.memberId), data);
      node.on('error', (error) => this.emit('error', error));
      this.transition({ kind: 'joined', node }, 'join');
      return node;
    });
    // Waiting is not done in the mailbox turn: leave() and close() must not queue behind it.
    await Promise.all([node.start(options), this.#cache.start(options)]);
  }

  /** Replaces the payload of the own member (rejects with InvalidArgumentError if not joined). */
  update(data: Uint8Array | string): Promise<void> {
    return this.mailbox.call(async () => {
      const state = this.state;
      if (state.kind !== 'joined')
        throw new InvalidArgumentError('data', `${this.memberId} has not joined ${this.path}`);
      await state.node.setData(data);
    });
  }

  /** Leaves the group: the member node is deleted (retried until it is gone). Idempotent. */
  leave(): Promise<void> {
    return this.mailbox.call(async () => {
      const state = this.state;
      if (state.kind !== 'joined') return;
      this.transition({ kind: 'observing' }, 'leave');
      await state.node.close();
    });
  }

  /** The current members, then the newest list after each change; ends on close. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<Member[]> {
    for await (const children of this.#cache) yield toMembers(children);
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Leaves (if joined) and stops observing. Idempotent. */
  async close(): Promise<void> {
    this.#session.off('closed', this.#onSessionClosed);
    await this.mailbox
      .call(async () => {
        const state = this.state;
        if (state.kind === 'closed') return;
        this.transition({ kind: 'closed' }, 'close');
        if (state.kind === 'joined') await state.node.close();
      })
      .catch((err: unknown) => {
        if (!(err instanceof RecipeClosedError)) throw err;
      });
    await this.mailbox.close();
    await this.#cache.close();
  }

  /**
   * Every input of this actor is a user call run in the mailbox's turn (`mailbox.call`); session
   * states and triggers are handled by its cache and its node. So no message ever arrives.
   */
  protected handle(message: never): never {
    throw new InvariantError(`${this.name}: unexpected message ${String(message)}`);
  }

  protected onFailure(failure: MailboxFailure<never>): void {
    const { error } = failure;
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

function toMember(id: string, child: ChildData): Member {
  return { id, data: child.data };
}

function toMembers(children: ReadonlyMap<string, ChildData>): Member[] {
  return [...children]
    .map(([id, child]) => toMember(id, child))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function toMembershipChange(change: ChildrenChange): MembershipChange {
  const list = (entries: ChildrenChange['added']) => entries.map((e) => toMember(e.name, e));
  return {
    added: list(change.added),
    removed: list(change.removed),
    updated: list(change.updated),
    members: toMembers(change.children),
  };
}
