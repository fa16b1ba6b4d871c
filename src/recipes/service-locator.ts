/**
 * ServiceLocator: the instances of one service, from a local cache, and one of them on demand
 * (Curator's ServiceCache + ServiceProvider). Reads curator-x-discovery's layout, so it finds
 * instances that Java processes registered as well as ServiceRegistry's.
 *
 * ```ts
 * const db = new ServiceLocator(session, '/services', 'db', { strategy: 'roundRobin' });
 * db.on('error', (err) => log.warn(err.message)); // e.g. a child that is not an instance
 * await db.start();
 * const target = db.getInstance();                // undefined when none is registered
 * for await (const instances of db) reconnectPool(instances); // current list, then each change
 * await db.close();
 * ```
 *
 * - The list is a ChildrenCache of `<base>/<name>`; each child's data is parsed once per
 *   version (czxid/mzxid) when it changes, so `all()` and `getInstance()` are O(1) and never
 *   touch ZooKeeper. Instances of dead processes go when their ephemeral node goes (at the
 *   latest, the session timeout after the process died).
 * - A child that does not parse is reported as an `error` (ServiceInstanceParseError) and left
 *   out; the others are still served. Disabled instances (`enabled: false`, written by Java) are
 *   listed by `all()` but never picked.
 * - `change` and the async iterator report only changes of the parsed list.
 *
 * The locator has no state machine of its own: its life cycle, and what it does on each
 * session state, are its cache's (children-cache.ts, cache-lifecycle.ts):
 * - `suspended`: the list is kept (possibly stale) and still served.
 * - `reconnected`: the children are read again; changes meanwhile arrive as one `change`.
 * - `lost`: the list is kept until the new session's full read replaces it (HARD-CASES 13):
 *   instances of our own expired session stay listed until then.
 * - session `closed`: the locator closes (iterators end, calls throw RecipeClosedError).
 */
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError, RecipeClosedError } from '../session/errors.js';
import { joinPath, validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import { ChildrenCache, type ChildrenChange } from './children-cache.js';
import type { ServiceInstance } from './discovery/instance.js';
import { checkNodeName } from './discovery/instance.js';
import { parseInstance } from './discovery/instance-json.js';
import {
  type Candidate,
  createStrategy,
  STRATEGIES,
  type Strategy,
  type StrategyName,
} from './discovery/strategies.js';
import type { WaitOptions } from './internal/cache-actor.js';
import type { WatchModeOption } from './internal/cache-reader.js';

export interface ServiceLocatorOptions {
  /** How `getInstance()` picks (default `roundRobin`, as Curator's ServiceProvider). */
  strategy?: StrategyName;
  /** How the children are watched (see ChildrenCache). */
  watchMode?: WatchModeOption;
}

export interface ServiceLocatorChange {
  readonly added: readonly ServiceInstance[];
  readonly removed: readonly ServiceInstance[];
  /** Instances whose data changed, or whose node was deleted and re-created. */
  readonly updated: readonly ServiceInstance[];
  /** Every instance after the change, in node-name order. */
  readonly instances: readonly ServiceInstance[];
}

export interface ServiceLocatorEvents {
  /** The parsed list changed. */
  change: [ServiceLocatorChange];
  /** A child that is not an instance (ServiceInstanceParseError), or a failed read. */
  error: [Error];
}

export class ServiceLocator extends EventEmitter<ServiceLocatorEvents> {
  /** `<base>/<name>`: the node whose children are the instances. */
  readonly path: string;
  readonly name: string;
  readonly #cache: ChildrenCache;
  readonly #strategy: Strategy;
  /** The parsed instances by node name (children that failed to parse are absent). */
  readonly #byNode = new Map<string, ServiceInstance>();
  // Rebuilt on each change, immutable in between: what all() and getInstance() hand out.
  #instances: readonly ServiceInstance[] = Object.freeze([]);
  #candidates: readonly Candidate<ServiceInstance>[] = [];
  #enabled: ReadonlyMap<string, ServiceInstance> = new Map();

  /** Throws InvalidArgumentError for a bad base path, service name or strategy. */
  constructor(
    session: Session,
    basePath: string,
    name: string,
    options: ServiceLocatorOptions = {},
  ) {
    super();
    validatePath(basePath, { argument: 'basePath' });
    checkNodeName('name', name);
    const strategy = options.strategy ?? 'roundRobin';
    if (!STRATEGIES.includes(strategy))
      throw new InvalidArgumentError(
        'strategy',
        `expected one of ${STRATEGIES.join(', ')}, got ${String(strategy)}`,
      );
    this.path = joinPath(basePath, name);
    validatePath(this.path, { argument: 'name' });
    this.name = name;
    this.#strategy = createStrategy(strategy);
    this.#cache = new ChildrenCache(session, this.path, { watchMode: options.watchMode ?? 'auto' });
    this.#cache.on('change', (change) => this.#apply(change));
    this.#cache.on('error', (error) => this.emit('error', error));
  }

  /** True once the first full read is done. */
  get isReady(): boolean {
    return this.#cache.isReady;
  }

  get isClosed(): boolean {
    return this.#cache.state.kind === 'closed';
  }

  /** Starts following the service (idempotent); resolves after the first full read. */
  start(options: WaitOptions = {}): Promise<void> {
    if (this.isClosed) return Promise.reject(this.#closedError());
    return this.#cache.start(options);
  }

  /** Every parsed instance, in node-name order (an immutable snapshot). */
  all(): readonly ServiceInstance[] {
    if (this.isClosed) throw this.#closedError();
    return this.#instances;
  }

  /** One enabled instance, by the strategy; undefined when there is none. */
  getInstance(): ServiceInstance | undefined {
    if (this.isClosed) throw this.#closedError();
    return this.#strategy.pick(this.#candidates, this.#enabled);
  }

  /** The current list once known, then the newest list after each change; ends on close. */
  async *[Symbol.asyncIterator](): AsyncIterableIterator<readonly ServiceInstance[]> {
    let last: readonly ServiceInstance[] | undefined;
    for await (const _children of this.#cache) {
      if (this.#instances === last) continue; // only unparsable children changed
      last = this.#instances;
      yield last;
    }
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Stops following the service; ends iterators. Idempotent. */
  close(): Promise<void> {
    return this.#cache.close();
  }

  /** Parses what changed (runs in the cache's turn, so changes arrive one at a time, in order). */
  #apply(change: ChildrenChange): void {
    const added: ServiceInstance[] = [];
    const removed: ServiceInstance[] = [];
    const updated: ServiceInstance[] = [];
    const drop = (node: string) => {
      const old = this.#byNode.get(node);
      if (old === undefined) return;
      this.#byNode.delete(node);
      removed.push(old);
    };
    for (const entry of change.removed) drop(entry.name);
    for (const entry of [...change.added, ...change.updated]) {
      let instance: ServiceInstance;
      try {
        instance = parseInstance(joinPath(this.path, entry.name), entry.data);
      } catch (error) {
        drop(entry.name); // its new data is not an instance: the old data no longer holds
        this.emit('error', error as Error);
        continue;
      }
      (this.#byNode.has(entry.name) ? updated : added).push(instance);
      this.#byNode.set(entry.name, instance);
    }
    if (added.length + removed.length + updated.length === 0) return;
    const sorted = [...this.#byNode].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#instances = Object.freeze(sorted.map(([, instance]) => instance));
    this.#candidates = sorted
      .filter(([, instance]) => instance.enabled)
      .map(([node, instance]) => ({ node, instance }));
    this.#enabled = new Map(this.#candidates.map((c) => [c.node, c.instance]));
    this.emit('change', { added, removed, updated, instances: this.#instances });
  }

  #closedError(): RecipeClosedError {
    return new RecipeClosedError(`ServiceLocator ${this.path}`);
  }
}
