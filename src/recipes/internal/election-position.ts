/**
 * Where a contender stands among the sequential nodes under a parent: first, behind a
 * predecessor, or absent (its node is gone). Generic to every "wait in line" recipe; the leader
 * election uses it with the `latch-` marker (CURATOR-COMPAT.md, LeaderLatch).
 */
import { ZkError } from '../../session/errors.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import { sortBySequence } from './sequence.js';

export type Position =
  /** The own node is not among the children: deleted, or never there (HARD-CASES 9). */
  | { readonly kind: 'absent' }
  | { readonly kind: 'first' }
  /** `predecessor` is the name of the node just before ours, the only one to watch (HARD-CASES 7). */
  | { readonly kind: 'behind'; readonly predecessor: string; readonly index: number };

/** The position of child `own` among `children`, ordered by signed sequence after `marker`. */
export function positionOf(children: readonly string[], own: string, marker: string): Position {
  const line = sortBySequence(children, marker);
  const index = line.findIndex((node) => node.name === own);
  if (index < 0) return { kind: 'absent' };
  const before = line[index - 1];
  return before === undefined
    ? { kind: 'first' }
    : { kind: 'behind', predecessor: before.name, index };
}

/**
 * The children of `path`; none if it does not exist. With `watch`, the sink hears the next
 * change either way: a children watch, or an exists watch on a parent that is not there yet.
 */
export async function listChildren(
  session: Session,
  path: string,
  watch?: WatchSink,
): Promise<string[]> {
  for (;;) {
    try {
      return (await session.getChildren(path, watch === undefined ? {} : { watch })).children;
    } catch (err) {
      if (!(err instanceof ZkError && err.code === 'NONODE')) throw err;
    }
    if (watch === undefined || (await session.exists(path, { watch })) === null) return [];
    // Created between the two calls: list it.
  }
}
