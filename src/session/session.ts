/**
 * Session: one logical ZooKeeper session for recipes and applications, and the only code that
 * touches a transport.
 *
 * - States `connected / suspended / reconnected / lost / closed` as typed events, each with the
 *   session id and a `generation` that grows with every new session (see states.ts and
 *   connection-manager.ts for the transitions).
 * - A promise API in which every argument is checked before anything reaches a transport
 *   (InvalidArgumentError), every failure is typed (ZkError with the code name and the caller's
 *   path), and calls after `close()` reject with SessionClosedError.
 * - Reads, `sync`, and unconditional `setData`/`setAcl` are retried on connection loss with
 *   bounded, jittered backoff (waking early when the connection is back). Creates, deletes and
 *   versioned writes are not: sending them again could apply them twice or report a false
 *   NODEEXISTS/NONODE/BADVERSION. Use `createProtected` for creates that must survive a lost reply.
 * - A namespace, like Curator's: every path is relative to it, and results come back without it.
 * - Watches deliver `WatchMessage`s to a sink (a recipe's mailbox); triggers from an older
 *   generation are dropped, since the `lost` event already said that everything is gone.
 *
 * @example
 * ```ts
 * await using session = await Session.connect({ connectString: '127.0.0.1:2181', namespace: 'app' });
 * session.on('lost', (e) => console.log('session', e.sessionId, 'lost:', e.reason));
 * await session.create('/config', JSON.stringify({ level: 1 }), { createParents: true });
 * const { data, stat } = await session.getData('/config', { watch: (m) => console.log(m.type, m.path) });
 * ```
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { ConnectionManager } from './connection-manager.js';
import {
  InvalidArgumentError,
  isRetryable,
  SessionClosedError,
  SessionExpiredError,
  toError,
  ZkError,
  zkError,
} from './errors.js';
import { MultiError, type SessionMultiOp } from './multi.js';
import {
  fromServerPath,
  normalizeNamespace,
  parentOf,
  toServerPath,
  validatePath,
} from './paths.js';
import { protectedCreate } from './protected-create.js';
import { backoffDelay, type RetryPolicy, resolveRetryPolicy } from './retry.js';
import type { SessionEvents, SessionStateKind, WatchSink } from './states.js';
import { resolveTransport, type TransportChoice } from './transport/index.js';
import {
  type Acl,
  type AddWatchMode,
  type CreateMode,
  type CreateResult,
  type MultiOp,
  type MultiResult,
  OPEN_ACL_UNSAFE,
  type SessionCredentials,
  type Stat,
  type Transport,
  type Watcher,
  type WatcherKind,
} from './transport/types.js';
import {
  DEFAULT_MAX_DATA_BYTES,
  isSequentialMode,
  toBytes,
  validateAcl,
  validateMode,
  validateTtl,
  validateVersion,
} from './validate.js';

export interface SessionOptions {
  /** `host:port[,host:port...][/chroot]`. */
  connectString: string;
  /** Requested session timeout; the server negotiates it within its bounds. Default 10 s. */
  sessionTimeoutMs?: number;
  /** How long `Session.connect` waits for the first connection. Default 15 s. */
  connectTimeoutMs?: number;
  /** Every path is relative to this node (e.g. `app` or `/app`), as Curator's namespace. */
  namespace?: string;
  /** Backoff for retryable operations; `false` disables retries. */
  retry?: Partial<RetryPolicy> | false;
  /** Credentials added to every connection (e.g. `{ scheme: 'digest', auth: 'user:pass' }`). */
  auth?: readonly { scheme: string; auth: string | Uint8Array }[];
  /** ACL for creates that do not name one. Default world:anyone, all permissions. */
  defaultAcl?: readonly Acl[];
  /** `wire` (default, pure TypeScript), `native` (the `zookeeper` binding), or a factory. */
  transport?: TransportChoice;
  /** Largest data accepted by create/setData. Default: the server's 1 MB request limit less 1 KiB. */
  maxDataBytes?: number;
  /** Allow read-only servers. */
  canBeReadOnly?: boolean;
  /** TLS options (wire transport). */
  tls?: TlsOptions;
}

export interface CreateCallOptions {
  mode?: CreateMode;
  acl?: readonly Acl[];
  ttlMs?: number;
  /** Create missing parents first: as containers (`true`/`'container'`) or persistent nodes. */
  createParents?: boolean | 'container' | 'persistent';
}

export interface WatchOption {
  /** Receives a WatchMessage when the one-time watch triggers. */
  watch?: WatchSink;
}

type OpKind = 'read' | 'write' | 'idempotentWrite';

export class Session {
  #manager: ConnectionManager;
  #namespace: string;
  #connectString: string;
  #retry: RetryPolicy;
  #defaultAcl: readonly Acl[];
  #maxDataBytes: number;
  #transportKind: string;
  /**
   * One transport watcher per sink and generation, so that a recipe that sets the same sink on a
   * path twice gets one trigger, as ZooKeeper gives for the same Watcher object.
   */
  #watchers = new WeakMap<WatchSink, { generation: number; watcher: Watcher }>();

  private constructor(options: SessionOptions, manager: ConnectionManager, transportKind: string) {
    this.#manager = manager;
    this.#namespace = normalizeNamespace(options.namespace);
    this.#connectString = options.connectString;
    this.#retry = resolveRetryPolicy(options.retry);
    this.#defaultAcl = options.defaultAcl ?? OPEN_ACL_UNSAFE;
    this.#maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
    this.#transportKind = transportKind;
  }

  /** Connects and resolves once the first session is established. */
  static async connect(options: SessionOptions): Promise<Session> {
    const checked = checkOptions(options);
    const factory = await resolveTransport(options.transport);
    const manager = new ConnectionManager({
      factory,
      transportOptions: {
        connectString: options.connectString,
        sessionTimeoutMs: checked.sessionTimeoutMs,
        ...(options.canBeReadOnly === undefined ? {} : { canBeReadOnly: options.canBeReadOnly }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
      },
      auth: checked.auth,
      retry: resolveRetryPolicy(options.retry),
    });
    const session = new Session(
      options,
      manager,
      typeof options.transport === 'string'
        ? options.transport
        : options.transport
          ? 'custom'
          : 'wire',
    );
    manager.start();
    try {
      await manager.whenConnected(checked.connectTimeoutMs);
    } catch (err) {
      await manager.close();
      throw err;
    }
    return session;
  }

  // ---- state -------------------------------------------------------------------------------

  /** The last reported state (`connecting` until the first connection). */
  get state(): SessionStateKind | 'connecting' {
    return this.#manager.lastState;
  }
  get isConnected(): boolean {
    return this.#manager.phase === 'connected';
  }
  get isClosed(): boolean {
    return this.#manager.phase === 'closed';
  }
  /** Grows by one with every new session. */
  get generation(): number {
    return this.#manager.generation;
  }
  /** The current session id (undefined while a new session is being established). */
  get sessionId(): bigint | undefined {
    return this.#manager.credentials?.sessionId;
  }
  /** Id and password of the current session (for `expireSession` in tests, or handing over). */
  get credentials(): SessionCredentials | undefined {
    return this.#manager.credentials;
  }
  get negotiatedTimeoutMs(): number {
    return this.#manager.negotiatedTimeoutMs;
  }
  get connectString(): string {
    return this.#connectString;
  }
  get namespace(): string {
    return this.#namespace;
  }
  get transportKind(): string {
    return this.#transportKind;
  }

  on<E extends keyof SessionEvents>(event: E, listener: (...args: SessionEvents[E]) => void): this {
    this.#manager.events.on(event, listener as never);
    return this;
  }
  once<E extends keyof SessionEvents>(
    event: E,
    listener: (...args: SessionEvents[E]) => void,
  ): this {
    this.#manager.events.once(event, listener as never);
    return this;
  }
  off<E extends keyof SessionEvents>(
    event: E,
    listener: (...args: SessionEvents[E]) => void,
  ): this {
    this.#manager.events.off(event, listener as never);
    return this;
  }

  /** Resolves when connected; rejects with ConnectionLossError after `timeoutMs`, or on close. */
  waitUntilConnected(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    return this.#manager.whenConnected(options.timeoutMs ?? 2 ** 31 - 1, options.signal);
  }

  // ---- operations --------------------------------------------------------------------------

  async create(
    path: string,
    data?: Uint8Array | string,
    options: CreateCallOptions = {},
  ): Promise<CreateResult> {
    const { mode, acl, bytes, ttlMs } = this.#checkCreate(path, data, options);
    const serverPath = toServerPath(this.#namespace, path);
    const run = () =>
      this.#call(path, 'write', (t) =>
        t.create(serverPath, bytes, { mode, acl, ...(ttlMs === undefined ? {} : { ttlMs }) }),
      );
    let result: CreateResult;
    try {
      result = await run();
    } catch (err) {
      if (!(err instanceof ZkError && err.code === 'NONODE' && options.createParents)) throw err;
      await this.ensurePath(parentOf(path), {
        mode: options.createParents === 'persistent' ? 'persistent' : 'container',
      });
      result = await run();
    }
    return { ...result, path: fromServerPath(this.#namespace, result.path) };
  }

  /**
   * A create that survives a lost reply: the node is named `_c_<uuid>-<name>` under `parent`,
   * and after a connection loss the parent is listed to find it (HARD-CASES 1). Curator's
   * `withProtection()` layout, so Java processes recognise the node.
   */
  async createProtected(
    parent: string,
    name: string,
    data?: Uint8Array | string,
    options: CreateCallOptions = {},
  ): Promise<CreateResult> {
    validatePath(parent, { argument: 'parent' });
    if (typeof name !== 'string' || name.includes('/'))
      throw new InvalidArgumentError(
        'name',
        `expected a node name without "/", got ${String(name)}`,
      );
    return protectedCreate(this, parent, name, data, options, this.#retry);
  }

  /** Creates `path` and any missing ancestors (containers by default); no error if it exists. */
  async ensurePath(
    path: string,
    options: { mode?: 'container' | 'persistent' } = {},
  ): Promise<void> {
    validatePath(path);
    if (path === '/' && this.#namespace === '') return;
    const mode = options.mode ?? 'container';
    try {
      await this.create(path, undefined, { mode });
    } catch (err) {
      if (!(err instanceof ZkError)) throw err;
      if (err.code === 'NODEEXISTS') return;
      if (err.code === 'UNIMPLEMENTED' && mode === 'container')
        return this.ensurePath(path, { mode: 'persistent' });
      if (err.code !== 'NONODE') throw err;
      await this.ensurePath(parentOf(path), { mode });
      await this.create(path, undefined, { mode }).catch((e: unknown) => {
        if (!(e instanceof ZkError && e.code === 'NODEEXISTS')) throw e;
      });
    }
  }

  async delete(path: string, options: { version?: number } = {}): Promise<void> {
    validatePath(path);
    const version = validateVersion(options.version);
    await this.#call(path, 'write', (t) => t.delete(this.#server(path), version));
  }

  async exists(path: string, options: WatchOption = {}): Promise<Stat | null> {
    validatePath(path);
    return this.#call(path, 'read', (t, w) => t.exists(this.#server(path), w), options.watch);
  }

  async getData(path: string, options: WatchOption = {}): Promise<{ data: Buffer; stat: Stat }> {
    validatePath(path);
    return this.#call(path, 'read', (t, w) => t.getData(this.#server(path), w), options.watch);
  }

  async setData(
    path: string,
    data: Uint8Array | string,
    options: { version?: number } = {},
  ): Promise<Stat> {
    validatePath(path);
    const bytes = toBytes(data, this.#maxDataBytes);
    const version = validateVersion(options.version);
    return this.#call(path, version === -1 ? 'idempotentWrite' : 'write', (t) =>
      t.setData(this.#server(path), bytes, version),
    );
  }

  async getChildren(
    path: string,
    options: WatchOption = {},
  ): Promise<{ children: string[]; stat: Stat }> {
    validatePath(path);
    return this.#call(path, 'read', (t, w) => t.getChildren(this.#server(path), w), options.watch);
  }

  async sync(path: string): Promise<void> {
    validatePath(path);
    await this.#call(path, 'read', (t) => t.sync(this.#server(path)));
  }

  async getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    validatePath(path);
    return this.#call(path, 'read', (t) => t.getAcl(this.#server(path)));
  }

  async setAcl(
    path: string,
    acl: readonly Acl[],
    options: { version?: number } = {},
  ): Promise<Stat> {
    validatePath(path);
    validateAcl(acl);
    const version = validateVersion(options.version);
    return this.#call(path, version === -1 ? 'idempotentWrite' : 'write', (t) =>
      t.setAcl(this.#server(path), acl, version),
    );
  }

  async getEphemerals(prefixPath = '/'): Promise<string[]> {
    validatePath(prefixPath);
    const found = await this.#call(prefixPath, 'read', (t) =>
      t.getEphemerals(this.#server(prefixPath)),
    );
    return found.map((p) => fromServerPath(this.#namespace, p));
  }

  async getAllChildrenNumber(path: string): Promise<number> {
    validatePath(path);
    return this.#call(path, 'read', (t) => t.getAllChildrenNumber(this.#server(path)));
  }

  /**
   * Runs the ops atomically. Resolves with per-op results; if any op fails, nothing is applied and
   * the call rejects with a MultiError naming the failing op (and carrying every result).
   */
  async multi(ops: readonly SessionMultiOp[]): Promise<MultiResult[]> {
    if (!Array.isArray(ops) || ops.length === 0)
      throw new InvalidArgumentError('ops', 'expected a non-empty array of operations');
    const wire = ops.map((op, i) => this.#checkMultiOp(op, i));
    const results = await this.#call(undefined, 'write', (t) => t.multi(wire));
    const failed = results.findIndex((r) => r.op === 'error' && r.code !== 0);
    if (failed >= 0) throw new MultiError(failed, ops[failed]?.path, results);
    return results.map((r) =>
      r.op === 'create' ? { ...r, path: fromServerPath(this.#namespace, r.path) } : r,
    );
  }

  /** A persistent watch (ZooKeeper 3.6+): every trigger under `path` reaches `watch` until removed. */
  async addWatch(path: string, mode: AddWatchMode, watch: WatchSink): Promise<void> {
    validatePath(path);
    if (mode !== 'persistent' && mode !== 'persistentRecursive')
      throw new InvalidArgumentError(
        'mode',
        `expected persistent or persistentRecursive, got ${String(mode)}`,
      );
    if (typeof watch !== 'function') throw new InvalidArgumentError('watch', 'expected a function');
    await this.#call(path, 'read', (t, w) => t.addWatch(this.#server(path), mode, w!), watch);
  }

  async removeWatches(path: string, kind: WatcherKind = 'any'): Promise<void> {
    validatePath(path);
    await this.#call(path, 'write', (t) => t.removeWatches(this.#server(path), kind));
  }

  /** Closes the session: its ephemeral nodes are deleted at once. Idempotent. */
  async close(): Promise<void> {
    await this.#manager.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  // ---- internals ---------------------------------------------------------------------------

  #server(path: string): string {
    return toServerPath(this.#namespace, path);
  }

  /** Wraps a sink so that it gets namespace-relative messages and never stale ones. */
  #watcher(sink: WatchSink | undefined): Watcher | undefined {
    if (sink === undefined) return undefined;
    if (typeof sink !== 'function') throw new InvalidArgumentError('watch', 'expected a function');
    const generation = this.#manager.generation;
    const cached = this.#watchers.get(sink);
    if (cached?.generation === generation) return cached.watcher;
    const watcher: Watcher = (event) => {
      if (generation !== this.#manager.generation || this.isClosed) return;
      try {
        sink({
          kind: 'watch',
          type: event.type,
          path: fromServerPath(this.#namespace, event.path),
          generation,
        });
      } catch (err) {
        this.#manager.events.emit('error', toError(err));
      }
    };
    this.#watchers.set(sink, { generation, watcher });
    return watcher;
  }

  /**
   * Runs `fn` on the live transport, retrying what is safe to retry, with the caller's path on
   * errors. A watch sink is wrapped per attempt: a read retried onto the next session must set
   * its watch for that session, not one whose triggers would be dropped as stale.
   */
  async #call<T>(
    path: string | undefined,
    kind: OpKind,
    fn: (t: Transport, watcher: Watcher | undefined) => Promise<T>,
    watch?: WatchSink,
  ): Promise<T> {
    this.#watcher(watch); // rejects a bad sink before anything is sent
    for (let attempt = 0; ; attempt++) {
      const transport = this.#manager.transport(); // throws SessionClosedError after close()
      try {
        return await fn(transport, this.#watcher(watch));
      } catch (err) {
        const error = this.#withUserPath(err, path);
        if (!this.#shouldRetry(error, kind, attempt)) throw error;
        await this.#manager.pause(backoffDelay(this.#retry, attempt));
      }
    }
  }

  #shouldRetry(error: unknown, kind: OpKind, attempt: number): boolean {
    if (kind === 'write' || attempt >= this.#retry.maxRetries || this.isClosed) return false;
    if (isRetryable(error)) return true;
    // A read may go to the next session: its answer does not depend on which session asks.
    return (
      kind === 'read' &&
      (error instanceof SessionExpiredError || error instanceof SessionClosedError)
    );
  }

  #withUserPath(err: unknown, path: string | undefined): unknown {
    if (this.isClosed && !(err instanceof SessionClosedError))
      return new SessionClosedError(undefined, { cause: err });
    if (!(err instanceof ZkError) || path === undefined || err.path === path) return err;
    return zkError(err.rawCode, path, { cause: err });
  }

  #checkCreate(path: string, data: unknown, options: CreateCallOptions) {
    if (typeof options !== 'object' || options === null)
      throw new InvalidArgumentError('options', 'expected an object');
    const mode = options.mode ?? 'persistent';
    validateMode(mode);
    validatePath(path, { sequential: isSequentialMode(mode) });
    validateTtl(mode, options.ttlMs);
    const acl = options.acl ?? this.#defaultAcl;
    validateAcl(acl);
    return { mode, acl, bytes: toBytes(data, this.#maxDataBytes), ttlMs: options.ttlMs };
  }

  #checkMultiOp(op: SessionMultiOp, i: number): MultiOp {
    if (typeof op !== 'object' || op === null)
      throw new InvalidArgumentError(`ops[${i}]`, 'expected an operation object');
    switch (op.op) {
      case 'create': {
        const { mode, acl, bytes, ttlMs } = this.#checkCreate(op.path, op.data, op);
        return {
          op: 'create',
          path: this.#server(op.path),
          data: bytes,
          options: { mode, acl, ...(ttlMs === undefined ? {} : { ttlMs }) },
        };
      }
      case 'delete':
        validatePath(op.path);
        return { op: 'delete', path: this.#server(op.path), version: validateVersion(op.version) };
      case 'setData':
        validatePath(op.path);
        return {
          op: 'setData',
          path: this.#server(op.path),
          data: toBytes(op.data, this.#maxDataBytes),
          version: validateVersion(op.version),
        };
      case 'check':
        validatePath(op.path);
        return { op: 'check', path: this.#server(op.path), version: validateVersion(op.version) };
      default:
        throw new InvalidArgumentError(
          `ops[${i}].op`,
          `expected create, delete, setData or check, got ${String((op as { op: unknown }).op)}`,
        );
    }
  }
}

function checkOptions(options: SessionOptions) {
  if (typeof options !== 'object' || options === null)
    throw new InvalidArgumentError('options', 'expected an object');
  if (typeof options.connectString !== 'string' || options.connectString.trim() === '') {
    throw new InvalidArgumentError('connectString', 'expected "host:port[,host:port...][/chroot]"');
  }
  const positive = (name: string, value: number | undefined, fallback: number) => {
    if (value === undefined) return fallback;
    if (!Number.isInteger(value) || value <= 0)
      throw new InvalidArgumentError(name, `expected a positive integer, got ${String(value)}`);
    return value;
  };
  const auth = (options.auth ?? []).map((a, i) => {
    if (typeof a?.scheme !== 'string' || a.scheme === '')
      throw new InvalidArgumentError(`auth[${i}].scheme`, 'expected a scheme such as "digest"');
    return { scheme: a.scheme, auth: toBytes(a.auth, 0xffff, `auth[${i}].auth`) };
  });
  if (options.defaultAcl !== undefined) validateAcl(options.defaultAcl);
  normalizeNamespace(options.namespace);
  resolveRetryPolicy(options.retry);
  return {
    sessionTimeoutMs: positive('sessionTimeoutMs', options.sessionTimeoutMs, 10_000),
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 15_000),
    auth,
  };
}
