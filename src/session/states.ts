/**
 * Connection states of a Session, as users of Curator and kazoo know them.
 *
 * - `connected`: the first connection of a new session (generation 1 at start, then one more
 *   after every `lost`).
 * - `suspended`: the connection dropped; the session may still live on the server. Nothing
 *   that depends on the session (a lock, leadership) is certain until `reconnected` or `lost`.
 * - `reconnected`: the same session is back; watches and ephemeral nodes survived.
 * - `lost`: the session is gone (the server said it expired, or we stayed suspended longer than
 *   the negotiated timeout: a partitioned client never hears "expired"). Every ephemeral node and
 *   watch of it is gone. The Session opens a new one and reports `connected` with the next
 *   generation.
 * - `closed`: closed by the user; final.
 */
import type { WatchEventType } from './transport/types.js';

export type SessionStateKind = 'connected' | 'suspended' | 'reconnected' | 'lost' | 'closed';

export type LostReason = 'expired' | 'timeout';

export interface SessionStateEvent {
  state: SessionStateKind;
  /** The id of the session this event is about (for `lost`, the session that was lost). */
  sessionId: bigint;
  /** Grows by one with every new session; messages tagged with an older one are stale. */
  generation: number;
  /** For `lost`: the server said expired, or the local timer ran out while suspended. */
  reason?: LostReason;
}

/** Typed events of a Session (eventemitter3 object-map form). */
export interface SessionEvents {
  /** Every state change, in order. */
  state: [SessionStateEvent];
  connected: [SessionStateEvent];
  suspended: [SessionStateEvent];
  reconnected: [SessionStateEvent];
  lost: [SessionStateEvent];
  closed: [SessionStateEvent];
  /** A background failure that has no caller to reject (e.g. re-authentication failed). */
  error: [Error];
}

/** What a watch delivers into a recipe's mailbox: a message, never a callback into recipe state. */
export interface WatchMessage {
  kind: 'watch';
  type: WatchEventType;
  /** The path that triggered, relative to the session namespace. */
  path: string;
  /** The session generation the watch was set under. */
  generation: number;
}

/** Where watch messages go; usually `(m) => mailbox.post(m)`. */
export type WatchSink = (message: WatchMessage) => void;
