/**
 * The reads of the contention engine, as plain functions of the session: list the line and
 * apply the driver's rule, and check that a node is ours. The engine runs them as effects and
 * gets their answers back as messages (contention.ts).
 *
 * Round trips are what a hand-off costs, so a look makes as few as it can: the owner of our
 * node is read only when the engine does not know it yet (a create2 reply tells it), and the
 * reads a waiter needs (its own node, the node it watches) go out together.
 */
import { joinPath, nameOf } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import { type ContentionDriver, lineOf } from './contenders.js';
import { checkOwnNode, readIfExists } from './election-ownership.js';
import type { SequencedNode } from './sequence.js';

/** Whether our node is still ours: gone, or of another session, it cannot hold. */
export type Ownership = { kind: 'ours'; czxid: bigint } | { kind: 'missing' } | { kind: 'foreign' };

/** What the engine knows of its own node in the current session. */
export interface OwnNode {
  readonly node: string;
  /** Its czxid (the fencing token), from the create2 reply or a read of the node. */
  readonly czxid: bigint;
  /** True while a watch set on it has not fired: a delete of it would be heard. */
  readonly watched: boolean;
}

/** What one look at the line says. */
export type Inspection =
  | { kind: 'holds'; own: OwnNode }
  /** `line`: the line as listed, so that the watched node's delete can be judged without a list. */
  | { kind: 'waits'; own: OwnNode; watched: string; line: readonly SequencedNode[] }
  /** The node to watch went away before the watch was set, and others are ahead: list again. */
  | { kind: 'again'; own: OwnNode }
  | Exclude<Ownership, { kind: 'ours' }>;

export interface Look {
  readonly path: string;
  readonly driver: ContentionDriver;
  readonly node: string;
  readonly sink: WatchSink;
  /** Our node's owner, if already known in this session: then it is not read again. */
  readonly known?: OwnNode | undefined;
  /** The children of `path`, if listed after our node was created (sent with the create). */
  readonly children?: readonly string[] | undefined;
}

/**
 * Lists the children of `path` (unless given) and applies the driver to our node. Our own node
 * is read with a watch (to check its owner, HARD-CASES 2, and to hear when someone deletes it,
 * HARD-CASES 9) unless `known` says both are done. A holder that skipped that read must arm the
 * watch itself (the engine's verify). Waiting, the node the driver names is watched too. The
 * watches go to `sink` (the Session sets one watcher per sink and path, so looking again adds
 * none).
 */
export async function inspect(session: Session, look: Look): Promise<Inspection> {
  const { path, driver, node, sink, known } = look;
  const children = look.children ?? (await session.getChildren(path)).children;
  const line = lineOf(children, driver.markers);
  const index = line.findIndex((c) => c.name === nameOf(node));
  if (index < 0) return { kind: 'missing' };
  const decision = driver.decide(line, index);
  if (decision.holds) {
    if (known !== undefined) return { kind: 'holds', own: known };
    const owner = await readOwnership(session, node, sink);
    return owner.kind === 'ours' ? { kind: 'holds', own: ownNode(node, owner.czxid) } : owner;
  }
  const watched = joinPath(path, decision.watch);
  const [owner, present] = await Promise.all([
    known?.watched
      ? ({ kind: 'ours', czxid: known.czxid } as const)
      : readOwnership(session, node, sink),
    watchNode(session, watched, sink),
  ]);
  if (owner.kind !== 'ours') return owner;
  const own = ownNode(node, owner.czxid);
  if (present) return { kind: 'waits', own, watched, line };
  // Gone before the watch was set (HARD-CASES 8), e.g. released while we listed: if nothing
  // else was ahead, we hold now; otherwise list again.
  return holdsWithout(driver, line, node, watched)
    ? { kind: 'holds', own }
    : { kind: 'again', own };
}

/** Reads `node`, setting `watch` on it: ours, gone, or of another session (HARD-CASES 2). */
export async function readOwnership(
  session: Session,
  node: string,
  watch: WatchSink,
): Promise<Ownership> {
  const own = await checkOwnNode(session, node, watch);
  if (own.kind === 'owned') return { kind: 'ours', czxid: own.stat.czxid };
  return own.kind === 'gone' ? { kind: 'missing' } : { kind: 'foreign' };
}

/** Watches `node` (getData, HARD-CASES 8); false if it is gone. */
async function watchNode(session: Session, node: string, watch: WatchSink): Promise<boolean> {
  return (await readIfExists(session, node, watch)) !== undefined;
}

function ownNode(node: string, czxid: bigint): OwnNode {
  return { node, czxid, watched: true };
}

/**
 * Whether our node holds once `gone` (the node we watched) is deleted, judged on the line of our
 * last look without listing again. Sound because the nodes ahead of ours can only go, never
 * come (a later node gets a later sequence number), and every driver's rule only gets closer to
 * "holds" as nodes ahead go. False means "list again", not "does not hold".
 */
export function holdsWithout(
  driver: ContentionDriver,
  line: readonly SequencedNode[],
  node: string,
  gone: string,
): boolean {
  const rest = line.filter((c) => c.name !== nameOf(gone));
  const index = rest.findIndex((c) => c.name === nameOf(node));
  return index >= 0 && driver.decide(rest, index).holds;
}
