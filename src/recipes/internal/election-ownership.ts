/**
 * Reads of a recipe's own node and of the node it waits behind.
 *
 * Both use getData, never exists: on a node that is already gone, exists would leave a watch
 * behind that fires on some later, unrelated create (HARD-CASES 8; Curator tech note 9).
 */
import { ZkError } from '../../session/errors.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import type { Stat } from '../../session/transport/types.js';

export type OwnNode =
  | { readonly kind: 'owned'; readonly stat: Stat }
  /** Deleted (by someone else, a removed container parent, or the end of its session). */
  | { readonly kind: 'gone' }
  /**
   * Still there, but made by another session: a node of an expired session can still be
   * listed after the new session connected (HARD-CASES 2; CURATOR-696, CURATOR-604).
   */
  | { readonly kind: 'foreign'; readonly owner: bigint };

/** `getData` that answers undefined for a node that does not exist (and then sets no watch). */
export async function readIfExists(
  session: Session,
  path: string,
  watch?: WatchSink,
): Promise<{ data: Buffer; stat: Stat } | undefined> {
  try {
    return await session.getData(path, watch === undefined ? {} : { watch });
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return undefined;
    throw err;
  }
}

/**
 * Whether `path` exists and belongs to the session as it is *now*: the owner is compared with
 * the session id after the read, so a read the Session retried onto a new session (after an
 * expiry) reports the old node as foreign.
 */
export async function checkOwnNode(
  session: Session,
  path: string,
  watch?: WatchSink,
): Promise<OwnNode> {
  const found = await readIfExists(session, path, watch);
  if (found === undefined) return { kind: 'gone' };
  const owner = found.stat.ephemeralOwner;
  return owner === session.sessionId
    ? { kind: 'owned', stat: found.stat }
    : { kind: 'foreign', owner };
}
