/**
 * The line of contenders under a lock path, and the rule that says who holds.
 *
 * Every contender is a sequential node `_c_<uuid>-<marker><seq>`. The line is ordered by the
 * sequence after the marker in issue order, also across the counter's wrap (HARD-CASES 15; see
 * sequence.ts), so the protected prefix never affects the order. A recipe
 * passes a driver (Curator's LockInternalsDriver, STYLE §1): the markers that take part in its
 * line and its "do I hold?" rule, which also names the one node to watch when it does not
 * (HARD-CASES 7: one release wakes one waiter).
 */
import { compareSequenced, type SequencedNode, sortBySequence } from './sequence.js';

/** What a driver decides for one contender. */
export type Decision =
  | { readonly holds: true }
  /** Not yet: `watch` is the name of the node whose deletion may change that. */
  | { readonly holds: false; readonly watch: string };

export interface ContentionDriver {
  /** The marker of our own nodes: we create `_c_<uuid>-<marker>` (e.g. `lock-`, `__READ__`). */
  readonly marker: string;
  /** Every marker of the line, ours included (a read/write lock has two). */
  readonly markers: readonly string[];
  /** Whether the contender at index `own` of `line` (in contention order) holds. */
  decide(line: readonly SequencedNode[], own: number): Decision;
}

/** The children that carry one of `markers`, in contention order; other children are ignored. */
export function lineOf(children: readonly string[], markers: readonly string[]): SequencedNode[] {
  // A stable sort of per-marker lists: names never parse under two markers, and ZooKeeper never
  // gives two children of one parent the same sequence number.
  return markers.flatMap((marker) => sortBySequence(children, marker)).sort(compareSequenced);
}

/**
 * First come, first served: index 0 holds; anyone else watches the node just before it
 * (Curator's StandardLockInternalsDriver with one lease). The rule of Mutex, of the write lock
 * (over readers and writers alike) and of the semaphore's internal mutex.
 */
export function firstInLine(
  marker: string,
  markers: readonly string[] = [marker],
): ContentionDriver {
  return {
    marker,
    markers,
    decide(line, own) {
      const before = line[own - 1];
      return before === undefined ? { holds: true } : { holds: false, watch: before.name };
    },
  };
}
