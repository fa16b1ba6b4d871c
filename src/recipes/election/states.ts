/**
 * The state machine of one LeaderElection participant: states, legal moves, messages, events.
 *
 * ```
 *   idle --start--> joining --(first in line, node owned, connected)--> leading
 *                     |  ^  \--(behind a live predecessor, getData-watched)--> waiting
 *                     |  +-- own node gone or not ours (HARD-CASES 2, 9): create a new one
 *   re-check (list, ownership) on: own node or predecessor changed, reconnected, new session,
 *   retry timer; it moves to leading / waiting / joining, or to
 *   retrying:  the re-check failed; a backoff timer posts `retry`
 *   suspended: connection lost (a leader stays `leading` only under `session-only`)
 *   any started state --lost--> joining (no node: the new session creates one)
 *   any --close() / session closed--> closed
 * ```
 */
import type { Deferred, Stamp, TransitionTable } from '../../actor/index.js';
import type { SessionStateEvent, WatchMessage } from '../../session/states.js';
import type { RevokeReason } from './errors.js';
import type { Leadership, LeadershipImpl } from './leadership.js';

export type ElectionState =
  /** Constructed; `start()` not called yet. */
  | { readonly kind: 'idle' }
  /** Started, position unknown: `node` is ours if created, undefined until then (or after `lost`). */
  | { readonly kind: 'joining'; readonly node: string | undefined }
  /**
   * In line: `predecessor` is the node just before ours, watched with getData. `alone`: it was
   * the only node ahead of ours at the last listing, so its delete alone makes us first.
   */
  | {
      readonly kind: 'waiting';
      readonly node: string;
      readonly predecessor: string;
      readonly alone: boolean;
    }
  /** First in line, node owned by this session, connected when elected. */
  | { readonly kind: 'leading'; readonly node: string; readonly leadership: LeadershipImpl }
  /** The connection dropped: nothing is certain until `reconnected` (re-check) or `lost`. */
  | { readonly kind: 'suspended'; readonly node: string | undefined }
  /** A re-check failed; a timer posts `retry`. */
  | { readonly kind: 'retrying'; readonly node: string | undefined }
  | { readonly kind: 'closed' };

export type ElectionStateKind = ElectionState['kind'];

const STARTED = ['joining', 'waiting', 'leading', 'suspended', 'retrying', 'closed'] as const;

export const ELECTION_TRANSITIONS: TransitionTable<ElectionStateKind> = {
  idle: ['joining', 'closed'],
  joining: STARTED,
  waiting: STARTED,
  // leading -> leading: a new leadership after the old one was revoked from outside the mailbox.
  leading: STARTED,
  suspended: STARTED,
  retrying: STARTED,
  closed: [],
};

/** The election node of a state, if it has one. */
export function nodeOf(state: ElectionState): string | undefined {
  return state.kind === 'idle' || state.kind === 'closed' ? undefined : state.node;
}

/** Every input of the actor (STYLE §4). */
export type ElectionMessage =
  | { readonly kind: 'start' }
  | { readonly kind: 'session'; readonly event: SessionStateEvent }
  | WatchMessage
  /** From the backoff timer of `retrying`; ignored if anything moved since. */
  | { readonly kind: 'retry'; readonly stamp: Stamp }
  | { readonly kind: 'wait'; readonly waiter: Deferred<Leadership> }
  | { readonly kind: 'cancel'; readonly waiter: Deferred<Leadership> };

export interface Revocation {
  readonly leadership: Leadership;
  readonly reason: RevokeReason;
}

/** Events of a LeaderElection (eventemitter3 object map). Emitted on edges only. */
export interface ElectionEvents {
  /** This participant became leader. */
  elected: [Leadership];
  /** The leadership handed out by the last `elected` ended; its signal aborted just before. */
  revoked: [Revocation];
  /** A background failure no retry can fix (e.g. NOAUTH on the election path). */
  error: [Error];
}
