/**
 * Reads of an election as it is in ZooKeeper, for participants and observers alike
 * (Curator LeaderLatch layout: `P/_c_<uuid>-latch-<seq>`, data = participant id).
 */
import { joinPath } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import { readIfExists } from '../internal/election-ownership.js';
import { listChildren } from '../internal/election-position.js';
import { sortBySequence } from '../internal/sequence.js';

/** The name part of an election node: Curator's LeaderLatch `latch-`. */
export const LATCH_NAME = 'latch-';

export interface Participant {
  /** The participant id (the node's data). */
  readonly id: string;
  /** The election node's path. */
  readonly node: string;
  /** First in line. (The participant itself leads once it has checked that it owns the node.) */
  readonly isLeader: boolean;
}

export interface LeaderInfo {
  readonly leaderId: string;
  readonly node: string;
}

/** Every participant, in line order. Nodes deleted while reading are left out. */
export async function readParticipants(session: Session, path: string): Promise<Participant[]> {
  const line = sortBySequence(await listChildren(session, path), LATCH_NAME);
  const read = await Promise.all(
    line.map(async ({ name }) => {
      const node = joinPath(path, name);
      const found = await readIfExists(session, node);
      return found && { id: found.data.toString('utf8'), node };
    }),
  );
  return read.filter((p) => p !== undefined).map((p, i) => ({ ...p, isLeader: i === 0 }));
}

/**
 * The first node in line and its id, or undefined when nobody takes part. With `watch`, the sink
 * hears the next change of the children (or the creation of the election path).
 */
export async function readLeader(
  session: Session,
  path: string,
  watch?: WatchSink,
): Promise<LeaderInfo | undefined> {
  let sink = watch;
  for (;;) {
    const first = sortBySequence(await listChildren(session, path, sink), LATCH_NAME)[0];
    if (first === undefined) return undefined;
    const node = joinPath(path, first.name);
    const found = await readIfExists(session, node);
    if (found !== undefined) return { leaderId: found.data.toString('utf8'), node };
    // Deleted between listing and reading. Its deletion fires the watch just set, so the caller
    // looks again anyway; list without setting a second one.
    sink = undefined;
  }
}
