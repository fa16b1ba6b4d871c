/**
 * The cached listing of one PriorityQueue instance: what makes a take cost one round trip.
 *
 * - The sorted children of Q are kept between takes and walked in order; they are read again
 *   when used up or older than the queue's `freshnessMs` (the dispatcher decides, by `ageMs`).
 * - The bytes of the next few items are read ahead: other consumers take items of our listing
 *   before we reach them, and reading ahead finds those in one round trip instead of one wasted
 *   read each. Items are written once and never change, so an early read is still right.
 * - Items whose lock exists (a consumer works on them) and items we cannot read are skipped.
 * - When another instance raced us since the last listing, the next one is `spread`.
 */
import { joinPath } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { WatchSink } from '../../session/states.js';
import { isNoNode, readItem } from './claim.js';
import { type ItemName, sortItems } from './item-name.js';
import type { QueuePaths } from './paths.js';

/** Items of one priority are tried in random order within blocks of this many, when raced. */
const SPREAD = 16;
/** How many listed items are read ahead of their claim. */
const READ_AHEAD = 4;

export class Listing {
  readonly #session: Session;
  readonly #paths: QueuePaths;
  /** In queue order (spread when raced); `#next` is the first item not handed out since. */
  #items: ItemName[] = [];
  #next = 0;
  #askedAt = Number.NEGATIVE_INFINITY;
  /** Another consumer took an item of ours before us since the last listing. */
  #raced = false;
  /** Reads started ahead of their claim, by item name. */
  #reads = new Map<string, Promise<Buffer | undefined>>();
  /** Items whose lock node existed at the last listing, or that a claim found locked. */
  #locked = new Set<string>();
  /** Items we cannot read: skipped for the life of this instance, left in the queue. */
  readonly #unreadable = new Set<string>();

  constructor(session: Session, paths: QueuePaths) {
    this.#session = session;
    this.#paths = paths;
  }

  /** How old the listing is, from the moment it was asked for (Infinity: none, or dropped). */
  get ageMs(): number {
    return Date.now() - this.#askedAt;
  }

  /** Lists items and locks (one round trip), with watches only when `watch` is given. */
  async refresh(watch?: WatchSink): Promise<void> {
    const options = watch === undefined ? {} : { watch };
    const askedAt = Date.now(); // the listing shows the queue as it was when we asked
    const [items, locks] = await Promise.all([
      this.#children(this.#paths.items, options),
      this.#children(this.#paths.locks, options),
    ]);
    // Spread only when others raced us: a lone consumer keeps strict FIFO within a priority.
    this.#items = spread(sortItems(items), this.#raced ? SPREAD : 1);
    this.#raced = false;
    this.#next = 0;
    this.#askedAt = askedAt;
    this.#locked = new Set(locks);
    const reads = new Map<string, Promise<Buffer | undefined>>();
    for (const item of this.#items) {
      const reading = this.#reads.get(item.name);
      if (reading !== undefined) reads.set(item.name, reading);
    }
    this.#reads = reads;
  }

  /** Forgets everything but the unreadable items: the next take lists again. */
  drop(): void {
    this.#items = [];
    this.#next = 0;
    this.#askedAt = Number.NEGATIVE_INFINITY;
    this.#reads.clear();
  }

  /** The next takeable item and a read of its bytes (undefined bytes: it is gone). */
  next(): { item: ItemName; reading: Promise<Buffer | undefined> } | undefined {
    while (this.#next < this.#items.length) {
      const item = this.#items[this.#next++] as ItemName;
      if (!this.#isTakeable(item)) continue;
      const end = Math.min(this.#items.length, this.#next + READ_AHEAD);
      for (let i = this.#next; i < end; i++) {
        const ahead = this.#items[i] as ItemName;
        if (this.#isTakeable(ahead)) this.#startRead(ahead);
      }
      const reading = this.#startRead(item);
      this.#reads.delete(item.name);
      return { item, reading };
    }
    return undefined;
  }

  /** True if an item not handed out yet is takeable. */
  hasTakeable(): boolean {
    return this.#items.slice(this.#next).some((item) => this.#isTakeable(item));
  }

  /** Another consumer took `item` before us. */
  lostRace(): void {
    this.#raced = true;
  }

  markLocked(item: ItemName): void {
    this.#locked.add(item.name);
  }

  markUnreadable(item: ItemName): void {
    this.#unreadable.add(item.name);
  }

  #isTakeable(item: ItemName): boolean {
    return !this.#locked.has(item.name) && !this.#unreadable.has(item.name);
  }

  #startRead(item: ItemName): Promise<Buffer | undefined> {
    let reading = this.#reads.get(item.name);
    if (reading === undefined) {
      reading = readItem(this.#session, joinPath(this.#paths.items, item.name));
      reading.catch(() => undefined); // awaited when its turn comes, or dropped
      this.#reads.set(item.name, reading);
    }
    return reading;
  }

  async #children(path: string, options: { watch?: WatchSink }): Promise<string[]> {
    try {
      return (await this.#session.getChildren(path, options)).children;
    } catch (err) {
      // Not created yet (no put so far) or removed: nothing to take. A watch needs the node.
      if (!isNoNode(err)) throw err;
      if (options.watch !== undefined) await this.#session.exists(path, options);
      return [];
    }
  }
}

/**
 * Shuffles `items` (in queue order) within blocks of `size` items of one priority. Consumers of
 * other instances walk the same listing: if all tried its head in order they would race for
 * the same items and all but one would pay a wasted claim. Priority order is kept; FIFO within
 * a priority holds up to `size` places (items that concurrent consumers take at once anyway).
 */
function spread(items: ItemName[], size: number): ItemName[] {
  for (let start = 0; start < items.length; ) {
    let end = start + 1;
    const priority = (items[start] as ItemName).priority;
    while (end < items.length && end - start < size && items[end]?.priority === priority) end++;
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.floor(Math.random() * (i - start + 1));
      [items[i], items[j]] = [items[j] as ItemName, items[i] as ItemName];
    }
    start = end;
  }
  return items;
}
