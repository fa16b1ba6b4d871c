/**
 * Watching who leads, without taking part: an async iterator of leader changes.
 *
 * A pull loop rather than an actor: it has one consumer and no state but the last leader, so
 * the loop itself serializes the inputs (a children watch and session states wake it; it then
 * reads the election anew). It yields the leader at first, then only real changes (STYLE §12),
 * compared by node path: a participant that re-joins on a new node is a change. ZooKeeper
 * watches coalesce (HARD-CASES 12), so leaders that come and go between two reads may be
 * skipped; the last one is always seen. On `lost` it re-reads on the new session; while
 * suspended it yields nothing (it cannot know). `break`, `signal` or a closed session end it and
 * remove its listeners; an error no retry can fix ends it by throwing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isRetryable, SessionExpiredError } from '../../session/errors.js';
import { validatePath } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { SessionStateEvent, WatchSink } from '../../session/states.js';
import { type LeaderInfo, readLeader } from './participants.js';

export interface ObserveOptions {
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
}

/** How long to wait before reading again after a failed read, unless woken first. */
const RETRY_MS = 500;

export async function* observeLeader(
  session: Session,
  path: string,
  options: ObserveOptions = {},
): AsyncGenerator<LeaderInfo | undefined, void, undefined> {
  validatePath(path);
  const { signal } = options;
  const wake = new Pulse();
  /** One children watch at a time: each read would otherwise add a callback for one trigger. */
  let armed = false;
  const sink: WatchSink = () => {
    armed = false;
    wake.fire();
  };
  const onState = (event: SessionStateEvent) => {
    if (event.state === 'lost') armed = false; // its watches went with it
    if (event.state !== 'suspended') wake.fire();
  };
  const onAbort = () => wake.fire();
  session.on('state', onState);
  signal?.addEventListener('abort', onAbort);
  let last: LeaderInfo | undefined | null = null; // null: nothing yielded yet
  try {
    while (!signal?.aborted && !session.isClosed) {
      const woken = wake.next(); // before reading, so that a trigger during the read is kept
      const watch = armed ? undefined : sink;
      armed = true;
      let leader: LeaderInfo | undefined;
      try {
        leader = await readLeader(session, path, watch);
      } catch (err) {
        if (watch !== undefined) armed = false;
        if (session.isClosed || signal?.aborted) return;
        if (!isRetryable(err) && !(err instanceof SessionExpiredError)) throw err;
        await Promise.race([woken, sleep(RETRY_MS, undefined, { ref: false })]);
        continue;
      }
      if (last === null || leader?.node !== last?.node) {
        last = leader;
        yield leader;
      }
      await woken;
    }
  } finally {
    session.off('state', onState);
    signal?.removeEventListener('abort', onAbort);
  }
}

/** A wake-up call: `next()` returns a promise that the following `fire()` resolves. */
class Pulse {
  #resolve: () => void = () => undefined;
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }
  fire(): void {
    this.#resolve();
  }
}
