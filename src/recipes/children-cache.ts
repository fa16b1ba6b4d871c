/**
 * ChildrenCache: the children of one node and their data, kept in step with ZooKeeper. The
 * building block of GroupMembership and ServiceLocator.
 *
 * ```ts
 * const cache = new ChildrenCache(session, '/services/db');
 * cache.on('change', ({ added, removed, updated }) => console.log(added.map((c) => c.name)));
 * await cache.start();
 * for (const [name, { data, stat }] of cache.children) console.log(name, data.toString());
 * for await (const children of cache) rebalance(children); // current map, then each change
 * ```
 *
 * - `children` is an immutable snapshot (`ReadonlyMap<name, { data, stat }>`), replaced on every
 *   change; a missing parent is an empty map, and the cache sees it come back.
 * - `change` carries the children `added`, `removed` (with their last known data) and `updated`
 *   (data rewritten, or deleted and re-created: compared by czxid/mzxid, HARD-CASES 12). One
 *   trigger may carry several (a resync reports everything that changed meanwhile).
 * - Only the children: grandchildren are not cached, and their changes are ignored.
 * - Watches: one persistent recursive watch on the parent (`addWatch`, ZooKeeper 3.6+), which
 *   reports child creations, deletions and data changes as they happen; events about deeper
 *   nodes are ignored (depth 1). Without it (native transport): a child watch on the parent
 *   and a data watch per child, re-armed by each read (internal/cache-reader.ts).
 *
 * Session states (STYLE §6):
 * - `suspended`: `children` is kept but may be stale; nothing is read until the connection is back.
 * - `reconnected`: everything is listed and read again and compared by czxid/mzxid, so changes
 *   made while disconnected are reported in one `change`.
 * - `lost`: `children` is kept: ephemeral children of the old session (ours) stay listed until
 *   the new session's `connected` brings the full re-read that removes them (HARD-CASES 13).
 * - session `closed`: the cache closes (iterators end).
 */
import { joinPath, nameOf, parentOf, validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import type { WatchMessage } from '../session/states.js';
import type { Stat } from '../session/transport/types.js';
import { CacheActor, type CacheBaseEvents } from './internal/cache-actor.js';
import type { WatchModeOption } from './internal/cache-reader.js';

/** One cached child. */
export interface ChildData {
  readonly data: Buffer;
  readonly stat: Stat;
}

/** A child in a change: its name and data (for `removed`, the last data the cache had). */
export interface ChildEntry extends ChildData {
  readonly name: string;
}

export interface ChildrenChange {
  readonly added: readonly ChildEntry[];
  readonly removed: readonly ChildEntry[];
  readonly updated: readonly ChildEntry[];
  /** The children after the change. */
  readonly children: ReadonlyMap<string, ChildData>;
}

export interface ChildrenCacheEvents extends CacheBaseEvents {
  /** At least one child was added, removed or updated. */
  change: [ChildrenChange];
}

export interface ChildrenCacheOptions {
  /** `auto` (default): persistent watches where offered; `oneTime`: always one-time watches. */
  watchMode?: WatchModeOption;
}

/**
 * A read of the cache: the whole list of children with the data of some of them (`read`: the
 * rest keep their cached data; `undefined` data: gone before it could be read), or one child.
 */
type ChildrenRead =
  | {
      kind: 'listing';
      names: readonly string[];
      read: ReadonlyMap<string, ChildData | undefined>;
    }
  | { kind: 'child'; name: string; node: ChildData | undefined };

export class ChildrenCache extends CacheActor<
  ChildrenRead,
  ReadonlyMap<string, ChildData>,
  ChildrenCacheEvents
> {
  readonly path: string;
  #children: ReadonlyMap<string, ChildData> = new Map();

  /** Throws InvalidArgumentError for a bad path. Call `start()` to begin. */
  constructor(session: Session, path: string, options: ChildrenCacheOptions = {}) {
    validatePath(path);
    super({
      name: `ChildrenCache ${path}`,
      session,
      root: path,
      persistentMode: 'persistentRecursive',
      watchMode: options.watchMode ?? 'auto',
    });
    this.path = path;
  }

  /** The children by name, as last read (an immutable snapshot). */
  get children(): ReadonlyMap<string, ChildData> {
    return this.#children;
  }

  protected readAll(): Promise<ChildrenRead> {
    return this.#list(() => true);
  }

  protected readFor(trigger: WatchMessage): Promise<ChildrenRead | undefined> {
    const { path, type } = trigger;
    if (path === this.path) {
      if (type === 'created' || type === 'deleted') return this.readAll();
      // One-time mode: re-list, and read only the children whose data the cache cannot vouch
      // for (new ones, and those whose data watch fired: maybe deleted and re-created).
      if (type === 'childrenChanged')
        return this.#list((name) => !this.#children.has(name) || !this.#isWatched(name));
      return Promise.resolve(undefined); // the parent's own data is not cached
    }
    // A recursive watch reports the whole subtree: only the children concern us. Any event
    // about a child (even `deleted`: it may already be back) is answered by reading it.
    if (parentOf(path) !== this.path || type === 'childrenChanged')
      return Promise.resolve(undefined);
    return this.#readChild(nameOf(path)).then((node) => ({
      kind: 'child',
      name: nameOf(path),
      node,
    }));
  }

  protected apply(read: ChildrenRead): void {
    const before = this.#children;
    const after = new Map(read.kind === 'listing' ? [] : before);
    if (read.kind === 'listing') {
      for (const name of read.names) {
        const node = read.read.has(name) ? read.read.get(name) : before.get(name);
        if (node !== undefined) after.set(name, node);
      }
    } else if (read.node === undefined) after.delete(read.name);
    else after.set(read.name, read.node);
    const change = diff(before, after);
    if (change === undefined) return;
    this.#children = after;
    this.emit('change', change);
    this.changed();
  }

  protected snapshot(): ReadonlyMap<string, ChildData> {
    return this.#children;
  }

  /** Lists the children and reads those `needsRead` picks, all at once (pipelined). */
  async #list(needsRead: (name: string) => boolean): Promise<ChildrenRead> {
    const names = (await this.reader.getChildren(this.path)) ?? [];
    const toRead = names.filter(needsRead);
    const nodes = await Promise.all(toRead.map((name) => this.#readChild(name)));
    return { kind: 'listing', names, read: new Map(toRead.map((name, i) => [name, nodes[i]])) };
  }

  #readChild(name: string): Promise<ChildData | undefined> {
    // A missing child needs no exists-watch: the parent's child watch reports its return.
    return this.reader.getData(joinPath(this.path, name), { watchMissing: false });
  }

  #isWatched(name: string): boolean {
    return this.reader.isWatchingData(joinPath(this.path, name));
  }
}

/** What changed from `before` to `after`, or undefined if nothing did. */
function diff(
  before: ReadonlyMap<string, ChildData>,
  after: ReadonlyMap<string, ChildData>,
): ChildrenChange | undefined {
  const added: ChildEntry[] = [];
  const removed: ChildEntry[] = [];
  const updated: ChildEntry[] = [];
  for (const [name, node] of after) {
    const old = before.get(name);
    if (old === undefined) added.push({ name, ...node });
    else if (old.stat.czxid !== node.stat.czxid || old.stat.mzxid !== node.stat.mzxid)
      updated.push({ name, ...node });
  }
  for (const [name, node] of before) if (!after.has(name)) removed.push({ name, ...node });
  if (added.length + removed.length + updated.length === 0) return undefined;
  return { added, removed, updated, children: after };
}
