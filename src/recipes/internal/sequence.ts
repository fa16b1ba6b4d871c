/**
 * Sequential node names: ZooKeeper appends a 10-digit signed counter (`%010d`) to the name, and
 * the counter wraps to negative values after 2147483647 (ZOOKEEPER-2944). Recipes order their
 * contenders by that number parsed as a signed integer (kazoo #606, #730), after the last
 * occurrence of their marker (`lock-`, `latch-`, `__WRIT__`...), so that Curator's protected
 * prefix `_c_<uuid>-` and any other prefix do not affect the order.
 */

/** The signed sequence number after the last `marker` in `name`, or undefined if there is none. */
export function parseSequence(name: string, marker: string): number | undefined {
  const at = name.lastIndexOf(marker);
  if (at < 0) return undefined;
  const digits = name.slice(at + marker.length);
  // %010d pads to 10 characters including the sign: -1 is `-000000001`, -2^31 is `-2147483648`.
  if (!/^(\d{10}|-\d{9,10})$/.test(digits)) return undefined;
  const value = Number(digits);
  return value >= -2147483648 && value <= 2147483647 ? value : undefined;
}

export interface SequencedNode {
  /** The node name (last path segment). */
  name: string;
  sequence: number;
}

/**
 * The children that carry `marker` and a sequence number, in contention order (ascending signed
 * sequence; ties, which ZooKeeper never produces under one parent, by name).
 */
export function sortBySequence(children: readonly string[], marker: string): SequencedNode[] {
  const nodes: SequencedNode[] = [];
  for (const name of children) {
    const sequence = parseSequence(name, marker);
    if (sequence !== undefined) nodes.push({ name, sequence });
  }
  return nodes.sort(
    (a, b) => a.sequence - b.sequence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}
