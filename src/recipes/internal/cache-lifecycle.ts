/**
 * The life cycle every cache shares (ConfigWatch, ChildrenCache), as a pure function from
 * (state, input) to the next state and the effect to run (STYLE §3), so it is unit-tested
 * without a server. CacheActor runs the effects.
 *
 *   idle --start--> syncing --read ok--> watching --trigger--> (refresh) watching
 *                      ^  \                 |
 *                      |   +--suspended/lost-+--> suspended
 *                      +---reconnected / connected (new session)---+
 *   any --close / session closed--> closed
 *
 * - `syncing`: a full read is due (first read, reconnect, new session, a failed read). ZooKeeper
 *   says nothing about what changed while we were away: SetWatches only fires one-time watches,
 *   and persistent watches re-added on a new session know nothing of the old one, so the cache
 *   re-reads everything and compares czxid/mzxid (HARD-CASES 12, 13).
 * - `suspended`: the data is kept (it may be stale); triggers are ignored, since the resync on
 *   `reconnected` or on the new session's `connected` re-reads everything anyway.
 */
import type { Stamp, TransitionTable } from '../../actor/actor.js';
import type { SessionStateEvent, WatchMessage } from '../../session/states.js';

export type CacheState =
  | { kind: 'idle' }
  /** A full read is due, or running, under this session generation. */
  | { kind: 'syncing'; generation: number }
  /** In sync as of the last read; the watches are armed in this generation. */
  | { kind: 'watching'; generation: number }
  /** Connection lost (`suspended`) or session lost (`lost`): data kept, possibly stale. */
  | { kind: 'suspended'; since: 'suspended' | 'lost' }
  | { kind: 'closed' };

export const CACHE_TRANSITIONS: TransitionTable<CacheState['kind']> = {
  idle: ['syncing', 'closed'],
  syncing: ['syncing', 'watching', 'suspended', 'closed'],
  watching: ['syncing', 'suspended', 'closed'],
  suspended: ['suspended', 'syncing', 'closed'],
  closed: [],
};

export type CacheInput =
  | { kind: 'start' }
  | { kind: 'session'; event: SessionStateEvent }
  /** A timer after a failed read: try the full read again if nothing happened meanwhile. */
  | { kind: 'retry'; stamp: Stamp }
  | WatchMessage;

export type CacheStep =
  | { effect: 'none' }
  /** Move to `next`, then read everything. */
  | { effect: 'sync'; next: CacheState & { kind: 'syncing' }; reason: string }
  /** Read what the trigger is about. */
  | { effect: 'refresh'; trigger: WatchMessage }
  | { effect: 'suspend'; next: CacheState & { kind: 'suspended' } }
  | { effect: 'close' };

const NONE: CacheStep = { effect: 'none' };

/**
 * The step for `input` in `state`, `generation` being the session's current one. The caller
 * drops stale `retry` inputs (their stamp) before asking.
 */
export function cacheStep(state: CacheState, input: CacheInput, generation: number): CacheStep {
  if (state.kind === 'closed') return NONE;
  const sync = (reason: string): CacheStep => ({
    effect: 'sync',
    next: { kind: 'syncing', generation },
    reason,
  });
  switch (input.kind) {
    case 'start':
      return state.kind === 'idle' ? sync('start') : NONE;
    case 'retry':
      return state.kind === 'syncing' ? sync('retry') : NONE;
    case 'watch':
      // Triggers of an older session are the `lost` event's business (Session drops most).
      if (input.generation !== generation) return NONE;
      if (state.kind === 'syncing') return sync(`${input.type} ${input.path}`);
      if (state.kind !== 'watching') return NONE;
      // Someone removed our watch (removeWatches): only a full read arms it again.
      if (input.type.endsWith('Removed')) return sync(`${input.type} ${input.path}`);
      return { effect: 'refresh', trigger: input };
    case 'session':
      return sessionStep(state, input.event, sync);
    default: {
      const never: never = input;
      throw new Error(`unknown cache input ${JSON.stringify(never)}`);
    }
  }
}

function sessionStep(
  state: Exclude<CacheState, { kind: 'closed' }>,
  event: SessionStateEvent,
  sync: (reason: string) => CacheStep,
): CacheStep {
  switch (event.state) {
    case 'closed':
      return { effect: 'close' };
    case 'suspended':
    case 'lost':
      if (state.kind === 'idle') return NONE;
      // `suspended` after `lost` (a stale event) must not hide that the session is gone.
      if (state.kind === 'suspended' && state.since === 'lost') return NONE;
      return { effect: 'suspend', next: { kind: 'suspended', since: event.state } };
    case 'reconnected':
    case 'connected':
      return state.kind === 'idle' ? NONE : sync(event.state);
    default: {
      const never: never = event.state;
      throw new Error(`unknown session state ${String(never)}`);
    }
  }
}
