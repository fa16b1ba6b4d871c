/**
 * Sequential node names: ZooKeeper appends a 10-digit signed counter (`%010d`) to the name, and
 * the counter wraps to -2147483648 after 2147483647 (ZOOKEEPER-2944). Recipes order their
 * contenders by that number after the last occurrence of their marker (`lock-`, `latch-`,
 * `__WRIT__`...), so that Curator's protected prefix `_c_<uuid>-` does not affect the order.
 *
 * The number is parsed as a signed 32-bit integer (kazoo #606, #730 parsed it wrongly) and
 * compared in serial-number arithmetic (RFC 1982): `a` comes before `b` when `b` is less than
 * 2^31 steps after `a` on the 32-bit circle. This is the order in which the server issued the
 * numbers, also across the wrap, as long as the contenders alive at one time span fewer than
 * 2^31 creates. Plain signed order would put the first node after the wrap (-2147483648) ahead
 * of the holder at 2147483647: two holders. Curator compares the digits as text, which orders
 * negative numbers newest first; the two agree until the wrap and disagree after it
 * (test/interop/locks.test.ts pins both orders).
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

/** Negative if `a` was issued before `b`, positive if after, 0 if equal (serial arithmetic). */
export function compareSequence(a: number, b: number): number {
  const steps = (b - a) >>> 0; // how far ahead of `a` is `b`, going round the 32-bit circle
  if (steps === 0) return 0;
  return steps < 0x80000000 ? -1 : 1;
}

export interface SequencedNode {
  /** The node name (last path segment). */
  name: string;
  sequence: number;
}

/** Contention order: by issue order of the sequence; ties (never under one parent) by name. */
export function compareSequenced(a: SequencedNode, b: SequencedNode): number {
  return (
    compareSequence(a.sequence, b.sequence) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

/** The children that carry `marker` and a sequence number, in contention order. */
export function sortBySequence(children: readonly string[], marker: string): SequencedNode[] {
  const nodes: SequencedNode[] = [];
  for (const name of children) {
    const sequence = parseSequence(name, marker);
    if (sequence !== undefined) nodes.push({ name, sequence });
  }
  return nodes.sort(compareSequenced);
}
