/**
 * The client side of ZooKeeper watches, as ZKWatchManager keeps them: one-time data, exist and
 * child watchers by path, and persistent / persistent-recursive watchers (addWatch, 3.6+) that
 * stay until removed. Paths are client paths (chroot already stripped). The server keeps one watch
 * per path and type for the whole connection, so several watchers share one server-side watch;
 * after a reconnect all paths are sent again with SetWatches.
 */
import type { WatchEvent, WatchEventType, Watcher, WatcherKind } from '../types.js';
import type { WatchPaths } from './records.js';

type WatchTable = Map<string, Set<Watcher>>;

export type WatchKind = 'data' | 'exist' | 'child' | 'persistent' | 'persistentRecursive';

function add(table: WatchTable, path: string, watcher: Watcher): void {
  const set = table.get(path);
  if (set === undefined) table.set(path, new Set([watcher]));
  else set.add(watcher);
}

function take(table: WatchTable, path: string, into: Set<Watcher>): void {
  const set = table.get(path);
  if (set === undefined) return;
  table.delete(path);
  for (const w of set) into.add(w);
}

function copy(table: WatchTable, path: string, into: Set<Watcher>): void {
  const set = table.get(path);
  if (set !== undefined) for (const w of set) into.add(w);
}

export class WatchRegistry {
  readonly #tables: Record<WatchKind, WatchTable> = {
    data: new Map(),
    exist: new Map(),
    child: new Map(),
    persistent: new Map(),
    persistentRecursive: new Map(),
  };

  add(kind: WatchKind, path: string, watcher: Watcher): void {
    add(this.#tables[kind], path, watcher);
  }

  get isEmpty(): boolean {
    for (const t of Object.values(this.#tables)) if (t.size > 0) return false;
    return true;
  }

  get hasPersistent(): boolean {
    return this.#tables.persistent.size > 0 || this.#tables.persistentRecursive.size > 0;
  }

  /**
   * The watchers an event triggers (ZKWatchManager.materialize): one-time watchers are removed,
   * persistent ones stay. A recursive watch sees created/deleted/dataChanged anywhere below its
   * path, but never childrenChanged (the server does not send it for recursive watches).
   */
  trigger(type: WatchEventType, path: string): Set<Watcher> {
    const t = this.#tables;
    const out = new Set<Watcher>();
    switch (type) {
      case 'created':
      case 'dataChanged':
        take(t.data, path, out);
        take(t.exist, path, out);
        break;
      case 'childrenChanged':
        take(t.child, path, out);
        break;
      case 'deleted':
        take(t.data, path, out);
        take(t.exist, path, out);
        take(t.child, path, out);
        break;
      default:
        return out;
    }
    copy(t.persistent, path, out);
    if (type !== 'childrenChanged' && t.persistentRecursive.size > 0) {
      for (let p = path; ; p = parentOf(p)) {
        copy(t.persistentRecursive, p, out);
        if (p === '/') break;
      }
    }
    return out;
  }

  /**
   * Removes the watchers of `kind` on `path` after the server removed its watches
   * (ZKWatchManager.removeWatcher): `data` also covers exist watches; persistent watches go only
   * with `any`, because the server keeps them in both its data and child tables and `data` or
   * `children` alone would leave half of one behind. Returns each removed watcher with its event.
   */
  remove(path: string, kind: WatcherKind): Array<[Watcher, WatchEvent]> {
    const t = this.#tables;
    const out: Array<[Watcher, WatchEvent]> = [];
    const drop = (table: WatchTable, type: WatchEventType) => {
      const set = table.get(path);
      if (set === undefined) return;
      table.delete(path);
      for (const w of set) out.push([w, { type, path }]);
    };
    if (kind !== 'children') {
      drop(t.data, 'dataWatchRemoved');
      drop(t.exist, 'dataWatchRemoved');
    }
    if (kind !== 'data') drop(t.child, 'childWatchRemoved');
    if (kind === 'any') {
      drop(t.persistent, 'persistentWatchRemoved');
      drop(t.persistentRecursive, 'persistentWatchRemoved');
    }
    return out;
  }

  /** Every watched path by kind, for SetWatches; `prefix` maps a client path to a server path. */
  paths(prefix: (path: string) => string): WatchPaths {
    const keys = (table: WatchTable) => Array.from(table.keys(), prefix);
    const t = this.#tables;
    return {
      data: keys(t.data),
      exist: keys(t.exist),
      child: keys(t.child),
      persistent: keys(t.persistent),
      persistentRecursive: keys(t.persistentRecursive),
    };
  }

  clear(): void {
    for (const t of Object.values(this.#tables)) t.clear();
  }
}

function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/**
 * Splits the watched paths into SetWatches batches of at most `maxPathBytes` of path text each
 * (ClientCnxn uses 128 KiB), so that no frame nears the server's jute.maxbuffer.
 */
export function batchWatchPaths(paths: WatchPaths, maxPathBytes: number): WatchPaths[] {
  const kinds = ['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as const;
  const empty = (): WatchPaths => ({
    data: [],
    exist: [],
    child: [],
    persistent: [],
    persistentRecursive: [],
  });
  const batches: WatchPaths[] = [];
  let batch = empty();
  let bytes = 0;
  for (const kind of kinds) {
    for (const path of paths[kind]) {
      const size = 4 + 3 * path.length;
      if (bytes > 0 && bytes + size > maxPathBytes) {
        batches.push(batch);
        batch = empty();
        bytes = 0;
      }
      batch[kind].push(path);
      bytes += size;
    }
  }
  if (bytes > 0) batches.push(batch);
  return batches;
}
