/**
 * Order inversions of a queue run, the sweep of python/bench.py `inversions()` (and Order.java):
 * a delivery of X counts when an item Y with a better key had been put (put returned at least
 * `graceNs` before X's delivery) and was still queued (delivered after X, or never).
 */
export function inversions(
  key: readonly number[],
  putDone: readonly bigint[],
  taken: readonly bigint[],
  takes: readonly number[],
  graceNs: bigint,
): number {
  // Events (time, type, item): type 0 = "present", 1 = "delivered"; ties: present first.
  const events: [bigint, 0 | 1, number][] = [];
  for (let i = 0; i < key.length; i++) {
    events.push([putDone[i]! + graceNs, 0, i]);
    if ((takes[i] ?? 0) > 0) events.push([taken[i]!, 1, i]);
  }
  events.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));
  const gone = new Array<boolean>(key.length).fill(false);
  const heap = new MinHeap((a: number, b: number) => key[a]! - key[b]! || a - b);
  let count = 0;
  for (const [, type, i] of events) {
    if (type === 0) {
      if (!gone[i]) heap.push(i);
      continue;
    }
    gone[i] = true;
    while (heap.size > 0 && gone[heap.peek()!]) heap.pop();
    const best = heap.peek();
    if (best !== undefined && key[best]! < key[i]!) count++;
  }
  return count;
}

/** A binary min-heap; enough for the sweep above. */
class MinHeap<T> {
  readonly #items: T[] = [];
  readonly #less: (a: T, b: T) => number;
  constructor(compare: (a: T, b: T) => number) {
    this.#less = compare;
  }
  get size(): number {
    return this.#items.length;
  }
  peek(): T | undefined {
    return this.#items[0];
  }
  push(x: T): void {
    const a = this.#items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.#less(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && this.#less(a[l]!, a[m]!) < 0) m = l;
      if (r < a.length && this.#less(a[r]!, a[m]!) < 0) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}
