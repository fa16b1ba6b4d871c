/**
 * ConfigWatch: one znode, parsed into a typed value that follows every change (last value
 * wins: every watcher converges to the final version).
 *
 * ```ts
 * const watch = new ConfigWatch<{ level: number }>(session, '/config/app', {
 *   validate: (v) => typeof v.level === 'number',
 * });
 * watch.on('change', ({ current }) => console.log('now', current?.value));
 * watch.on('error', (e) => console.warn(e.message)); // e.g. InvalidConfigError; last good kept
 * await watch.start();
 * for await (const config of watch) apply(config?.value); // current value, then each change
 * ```
 *
 * - `current` is `{ value, version, mzxid, czxid }`, or undefined while the node does not exist.
 *   A change is a different (czxid, mzxid): a rewrite with the same bytes is a change, a second
 *   trigger for a change already read is not (kazoo's DataWatch compares mzxid). Comparing
 *   czxid too catches a delete-and-recreate that lands on the same version (HARD-CASES 12).
 * - A value that fails `parse` or `validate` is an `error` event (InvalidConfigError) and
 *   `current` keeps the last good value.
 * - A deleted node is `current === undefined` and a `change`; the watch goes on and sees the
 *   node come back.
 * - Watches: one persistent watch (`addWatch`, ZooKeeper 3.6+) where the transport has it,
 *   else a one-time getData/exists watch re-armed by every read (see internal/cache-reader.ts).
 *
 * Session states (STYLE §6):
 * - `suspended`: `current` is kept but may be stale; nothing is read until the connection is back.
 * - `reconnected`: the node is read again and compared by czxid/mzxid, so changes made while
 *   disconnected are seen (SetWatches alone misses a delete-and-recreate, HARD-CASES 12).
 * - `lost`: `current` is kept (a config node is not tied to our session); on the new session's
 *   `connected` the watch is set again and the node re-read (HARD-CASES 13).
 * - session `closed`: the watch closes (iterators end).
 */

import { validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import type { WatchMessage } from '../session/states.js';
import { CacheActor, type CacheBaseEvents } from './internal/cache-actor.js';
import type { NodeRead, WatchModeOption } from './internal/cache-reader.js';

/** A parsed config and the node version it came from. */
export interface ConfigValue<T> {
  readonly value: T;
  /** The node's data version (`stat.version`). */
  readonly version: number;
  /** Zxid of the write that produced this value. */
  readonly mzxid: bigint;
  /** Zxid of the node's creation: differs after a delete-and-recreate. */
  readonly czxid: bigint;
}

export interface ConfigChange<T> {
  readonly previous: ConfigValue<T> | undefined;
  /** Undefined when the node was deleted. */
  readonly current: ConfigValue<T> | undefined;
}

export interface ConfigWatchEvents<T> extends CacheBaseEvents {
  /** `current` changed: a new value, or the node was deleted (`current` undefined). */
  change: [ConfigChange<T>];
}

export interface ConfigWatchOptions<T> {
  /** Bytes to value; throw to refuse. Default: UTF-8 JSON. */
  parse?: (data: Buffer) => T;
  /** Checks a parsed value: returning `false` or throwing refuses it; anything else accepts. */
  validate?: (value: T) => unknown;
  /** `auto` (default): persistent watches where offered; `oneTime`: always one-time watches. */
  watchMode?: WatchModeOption;
}

/** The node holds a value that `parse` or `validate` refused; `current` kept the last good one. */
export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
  readonly path: string;
  readonly version: number;
  readonly mzxid: bigint;
  constructor(path: string, read: NodeRead, options?: ErrorOptions) {
    super(`${path} version ${read.stat.version}: invalid config`, options);
    this.path = path;
    this.version = read.stat.version;
    this.mzxid = read.stat.mzxid;
  }
}

const parseJson = (data: Buffer): never => JSON.parse(data.toString('utf8')) as never;

/** One read of the node: `node` undefined when it does not exist. */
interface ConfigRead {
  readonly node: NodeRead | undefined;
}

export class ConfigWatch<T = unknown> extends CacheActor<
  ConfigRead,
  ConfigValue<T> | undefined,
  ConfigWatchEvents<T>
> {
  readonly path: string;
  readonly #parse: (data: Buffer) => T;
  readonly #validate: ((value: T) => unknown) | undefined;
  #current: ConfigValue<T> | undefined;
  /** The node version last read, good or bad: a trigger for it again is no change. */
  #seen: { czxid: bigint; mzxid: bigint } | undefined;

  /** Throws InvalidArgumentError for a bad path. Call `start()` to begin. */
  constructor(session: Session, path: string, options: ConfigWatchOptions<T> = {}) {
    validatePath(path);
    super({
      name: `ConfigWatch ${path}`,
      session,
      root: path,
      persistentMode: 'persistent',
      watchMode: options.watchMode ?? 'auto',
    });
    this.path = path;
    this.#parse = options.parse ?? parseJson;
    this.#validate = options.validate;
  }

  /** The last good value, or undefined while the node does not exist (or before the first read). */
  get current(): ConfigValue<T> | undefined {
    return this.#current;
  }

  protected async readAll(): Promise<ConfigRead> {
    return { node: await this.reader.getData(this.path, { watchMissing: true }) };
  }

  protected async readFor(trigger: WatchMessage): Promise<ConfigRead | undefined> {
    // A persistent watch also reports changes of the node's child list: not ours.
    if (trigger.path !== this.path || trigger.type === 'childrenChanged') return undefined;
    return this.readAll();
  }

  protected apply({ node }: ConfigRead): void {
    if (node === undefined) {
      this.#seen = undefined;
      this.#set(undefined);
      return;
    }
    const { stat } = node;
    if (this.#seen?.czxid === stat.czxid && this.#seen.mzxid === stat.mzxid) return;
    this.#seen = { czxid: stat.czxid, mzxid: stat.mzxid };
    let value: T;
    try {
      value = this.#parse(node.data);
      if (this.#validate?.(value) === false) throw new Error('rejected by validate');
    } catch (cause) {
      this.emit('error', new InvalidConfigError(this.path, node, { cause }));
      return;
    }
    this.#set({ value, version: stat.version, mzxid: stat.mzxid, czxid: stat.czxid });
  }

  protected snapshot(): ConfigValue<T> | undefined {
    return this.#current;
  }

  #set(current: ConfigValue<T> | undefined): void {
    const previous = this.#current;
    if (previous === current) return;
    this.#current = current;
    this.emit('change', { previous, current });
    this.changed();
  }
}
