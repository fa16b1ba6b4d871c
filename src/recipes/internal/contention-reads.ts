/**
 * The reads of the contention engine, as plain functions of the session: list the line and
 * apply the driver's rule, and check that a node is ours. The engine runs them as effects and
 * gets their answers back as messages (contention.ts).
 */
import { ZkError } from '../../session/errors.js';
import { joinPath, nameOf } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import { type ContentionDriver, lineOf } from './contenders.js';

/** Whether our node is still ours: gone, or of another session, it cannot hold. */
export type Ownership = { kind: 'ours'; czxid: bigint } | { kind: 'missing' } | { kind: 'foreign' };

/** What one look at the line says. */
export type Inspection =
  | { kind: 'holds'; fencingToken: bigint }
  | { kind: 'waits'; watched: string }
  /** The node to watch went away before the watch was set: list again (HARD-CASES 8). */
  | { kind: 'again' }
  | Exclude<Ownership, { kind: 'ours' }>;

/**
 * Lists the children of `path` and applies `driver` to `node`. Our own node is read with a watch
 * (to check its owner, HARD-CASES 2, and to hear when someone deletes it, HARD-CASES 9); waiting,
 * the node the driver names is watched too. Both watches go to `sink` (the Session sets one
 * watcher per sink and path, so looking again adds none).
 */
export async function inspect(
  session: Session,
  look: { path: string; driver: ContentionDriver; node: string; sink: WatchSink },
): Promise<Inspection> {
  const { path, driver, node, sink } = look;
  const { children } = await session.getChildren(path);
  const line = lineOf(children, driver.markers);
  const own = line.findIndex((c) => c.name === nameOf(node));
  if (own < 0) return { kind: 'missing' };
  const owner = await readOwnership(session, node, sink);
  if (owner.kind !== 'ours') return owner;
  const decision = driver.decide(line, own);
  if (decision.holds) return { kind: 'holds', fencingToken: owner.czxid };
  const watched = joinPath(path, decision.watch);
  try {
    // getData, not exists: on a node already gone it leaves no watch behind (HARD-CASES 8).
    await session.getData(watched, { watch: sink });
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return { kind: 'again' };
    throw err;
  }
  return { kind: 'waits', watched };
}

/** Reads `node`, setting `watch` on it: ours, gone, or of another session. */
export async function readOwnership(
  session: Session,
  node: string,
  watch: WatchSink,
): Promise<Ownership> {
  try {
    const { stat } = await session.getData(node, { watch });
    // HARD-CASES 2: a node of an expired session can still be listed (CURATOR-696).
    if (stat.ephemeralOwner !== session.sessionId) return { kind: 'foreign' };
    return { kind: 'ours', czxid: stat.czxid };
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return { kind: 'missing' };
    throw err;
  }
}
