/**
 * The state machine of a PriorityQueue's local dispatcher: the takes and consumers of this
 * instance wait in one FIFO, and the dispatcher serves them one claim per mailbox turn.
 *
 * ```
 *   idle --take/consume--> serving --(listing has nothing takeable)--> queuing
 *   serving --(no waiter left)--> idle        serving --(ZooKeeper call failed)--> retrying
 *   queuing --(first in line at Q-consumers)--> watching: Q and Q-locks children watched
 *   watching --(a listing with something takeable)--> serving, still first in line; after
 *     the claim: the line is handed on, or (nothing claimed) watching again
 *   queuing/watching --(every waiter gave up)--> idle     retrying --timer--> serving
 *   any started --(a new session after lost)--> serving: in-flight work was the old session's
 *   any --close()--> closed
 * ```
 *
 * Only `watching` holds children watches: a put wakes the one consumer first in line, not
 * every waiting consumer (HARD-CASES 7).
 */
import type { Deferred, Stamp, TransitionTable } from '../../actor/index.js';
import type { SessionStateEvent, WatchMessage } from '../../session/states.js';
import type { LockHandle } from '../lock-handle.js';
import type { ClaimMode } from './claim.js';
import type { ItemName } from './item-name.js';

export type QueueState =
  /** Nobody of this instance waits for an item. */
  | { readonly kind: 'idle' }
  /**
   * Waiters, and the listing may have items: a `pump` chain claims one per turn. `line`: the
   * watcher saw an item and still holds its place at Q-consumers; it hands the place on after
   * its claim, so the next one in line lists a queue where that claim has landed.
   */
  | { readonly kind: 'serving'; readonly line?: LockHandle }
  /** Nothing to take: in line at Q-consumers for the watching role (abort `line` to leave). */
  | { readonly kind: 'queuing'; readonly line: AbortController }
  /** First in line: Q and Q-locks are watched; a trigger lists again. */
  | { readonly kind: 'watching'; readonly line: LockHandle }
  /** A ZooKeeper call failed; a backoff timer posts `retry`. */
  | { readonly kind: 'retrying' }
  | { readonly kind: 'closed' };

export type QueueStateKind = QueueState['kind'];

export const QUEUE_TRANSITIONS: TransitionTable<QueueStateKind> = {
  idle: ['serving', 'closed'],
  // -> serving from anywhere started: a new session starts the work over.
  serving: ['serving', 'idle', 'queuing', 'watching', 'retrying', 'closed'],
  queuing: ['watching', 'serving', 'idle', 'retrying', 'closed'],
  watching: ['serving', 'queuing', 'idle', 'retrying', 'closed'],
  retrying: ['serving', 'idle', 'closed'],
  closed: [],
};

/** What a claim hands the dispatcher: the item, its value and (consume) its lock. */
export interface Delivery {
  readonly item: ItemName;
  readonly value: unknown;
  readonly lock: string;
}

export interface Waiter {
  readonly mode: ClaimMode;
  readonly deferred: Deferred<Delivery>;
}

/** Every input of the actor (STYLE §4). */
export type QueueMessage =
  | { readonly kind: 'wait'; readonly waiter: Waiter }
  | { readonly kind: 'cancel'; readonly waiter: Waiter }
  /** Serve the first waiter; dropped when posted under an older state. */
  | { readonly kind: 'pump'; readonly stamp: Stamp }
  /** From the retry timer. */
  | { readonly kind: 'retry'; readonly stamp: Stamp }
  /** The line at Q-consumers: we are first (`handle`), or acquiring it failed (`error`). */
  | { readonly kind: 'line'; readonly stamp: Stamp; readonly handle: LockHandle }
  | { readonly kind: 'line-failed'; readonly stamp: Stamp; readonly error: unknown }
  /** The line lock was lost (its session ended): get in line again. */
  | { readonly kind: 'line-lost'; readonly handle: LockHandle }
  | WatchMessage
  | { readonly kind: 'session'; readonly event: SessionStateEvent };

/** Events of a PriorityQueue (eventemitter3 object map). */
export interface QueueEvents {
  /**
   * A failure with no caller to tell: an unreadable item (ItemFormatError, left in the queue),
   * a take whose reply was lost after its item vanished (TakeOutcomeUnknownError, with the
   * value), a background ZooKeeper failure.
   */
  error: [Error];
}
