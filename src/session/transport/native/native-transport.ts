/**
 * A Transport over one handle of the `zookeeper` npm binding (the ZooKeeper C client 3.8).
 *
 * How the binding's behaviour maps onto the Transport contract (see ../types.ts):
 * - States. The binding emits only `connect`, `connecting` and `close(code)`. A handle's watch
 *   callbacks also get session events: `(-1, 1, '')` when the connection drops and
 *   `(-1, 3, '')` when it is back, and they stay registered. Both sources feed the same two
 *   handlers, which only act on a real change. Events are delivered late (queued by the C
 *   client), so a `connect` is believed only if `zoo_state()` still says connected. An in-flight
 *   operation failing with -4 while `zoo_state()` is not connected also means `disconnected`.
 * - `close(code)`: -112 is `expired`, 0 our own `close()`, anything else `closed` with that
 *   error. A closed binding handle is dead for good (its `init()` never connects again).
 * - Known defect: -112 is not always the server's word. The bundled C client is built without
 *   SOCK_CLOEXEC (config.h), so every child process the application spawns inherits the
 *   client's current socket. When the client later closes that socket, epoll keeps watching
 *   the still-open copy and reports its end-of-stream under the fd number the client reuses for
 *   its next socket; `zookeeper_process()` finds nothing to read (ZNOTHING), and after 10 in a
 *   row the binding closes the handle with -112 itself (`responseCounterLimit`,
 *   node-zk.cpp). Measured: spawning children while a handle reconnects after a leader crash
 *   closes it with -112 within ~10 ms although the session lives on the server (4 of 5 runs;
 *   0 of 7 without the spawns, 0 of 24 leader crashes with the servers run from another
 *   process), and every new handle that gets the same fd number dies at once while the
 *   children live. The test harness hits this by restarting server JVMs from the test
 *   process. The transport cannot tell it from a real expiry and reports `expired`.
 * - The C client queues calls made while not connected; the contract wants them refused at
 *   once, so every call first checks both our state and `zoo_state()`.
 * - After a close the C client completes every pending call with -116 ZCLOSING and calls no
 *   watcher; those calls reject with SessionExpiredError/SessionClosedError instead.
 * - Not in the binding: multi, multiRead (C `zoo_amulti` is not bound), create2 (so no stat
 *   from create), addWatch, removeWatches, getEphemerals, getAllChildrenNumber; create with an
 *   ACL other than OPEN_ACL_UNSAFE (`a_create` always sends ZOO_OPEN_ACL_UNSAFE), read-only
 *   connections (`zookeeper_init` gets flags 0, so `canBeReadOnly` is not honoured and
 *   `readOnly` is always false) and the current server's address. These reject with
 *   `UNIMPLEMENTED`.
 * - The binding leaks one small callback object per watch it registers (node-zk.cpp never
 *   deletes the watcher's `Nan::Callback`).
 */
import { ConnectionLossError, InvalidArgumentError, ZkError } from '../../errors.js';
import {
  type Acl,
  type AddWatchMode,
  CREATE_MODE_FLAGS,
  type CreateMode,
  type CreateOptions,
  type CreateResult,
  type MultiOp,
  type MultiReadOp,
  type MultiReadResult,
  type MultiResult,
  OPEN_ACL_UNSAFE,
  type Stat,
  type Transport,
  type TransportOptions,
  type TransportState,
  WATCH_EVENT_TYPES,
  type Watcher,
  type WatcherKind,
} from '../types.js';
import { type NativeHandle, type NativeWatchCb, newNativeHandle } from './binding.js';
import {
  CONNECTED_STATE,
  type DeadState,
  deadError,
  errorForCode,
  RC,
  stateForCloseCode,
} from './errors.js';
import { InOrderSettler, type PendingOp } from './in-order.js';
import {
  fromAcl,
  idFromHex,
  idToHex,
  PASSWORD_BYTES,
  passwordFromHex,
  passwordToHex,
  toAcl,
  toStat,
} from './stat.js';

/** Type of a watch callback's session event (ZOO_SESSION_EVENT). */
const SESSION_EVENT = -1;
/** The binding passes the TTL as an int32 (`toInt` in node-zk.cpp `ACreateTtl`). */
const MAX_NATIVE_TTL_MS = 2 ** 31 - 1;

/** Completes one operation: `rc` and, when it is 0, a thunk for the result. */
type Done<T> = (rc: number, result: () => T) => void;

function toBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

function isOpenAcl(acl: readonly Acl[]): boolean {
  const open = OPEN_ACL_UNSAFE[0]!;
  return (
    acl.length === 1 &&
    acl[0]!.perms === open.perms &&
    acl[0]!.scheme === open.scheme &&
    acl[0]!.id === open.id
  );
}

function isTtlMode(mode: CreateMode): boolean {
  return mode === 'persistentWithTtl' || mode === 'persistentSequentialWithTtl';
}

/** Why the binding cannot do this create as asked, if it cannot. */
function createRefusal(path: string, options: CreateOptions): Error | undefined {
  if (!Object.hasOwn(CREATE_MODE_FLAGS, options.mode)) {
    // The binding would read a missing flag as 0 and create a persistent node.
    return new InvalidArgumentError('mode', `unknown create mode ${String(options.mode)}`);
  }
  if (!isOpenAcl(options.acl)) {
    return new ZkError('UNIMPLEMENTED', path, {
      message: 'native transport: create with an ACL other than OPEN_ACL_UNSAFE',
    });
  }
  const ttl = options.ttlMs;
  if (
    isTtlMode(options.mode) &&
    !(Number.isInteger(ttl) && ttl! > 0 && ttl! <= MAX_NATIVE_TTL_MS)
  ) {
    return new InvalidArgumentError(
      'ttlMs',
      `must be an integer in 1..${MAX_NATIVE_TTL_MS} for the native transport`,
    );
  }
  return undefined;
}

/** Rethrows a listener's error outside the C client's callback, so other listeners still run. */
function reportListenerError(error: unknown): void {
  setImmediate(() => {
    throw error;
  });
}

export class NativeTransportImpl implements Transport {
  readonly kind = 'native';
  #state: TransportState = { kind: 'connecting' };
  readonly #listeners = new Set<(state: TransportState) => void>();
  readonly #handle: NativeHandle;
  readonly #ops = new InOrderSettler();

  constructor(options: TransportOptions) {
    const session = options.session;
    if (session !== undefined && session.password.length !== PASSWORD_BYTES) {
      throw new InvalidArgumentError('session', `password must be ${PASSWORD_BYTES} bytes`);
    }
    this.#handle = newNativeHandle();
    this.#handle.on('connect', () => this.#onConnected());
    this.#handle.on('connecting', () => this.#onConnectionLost());
    this.#handle.on('close', (_handle, code) => this.#die(stateForCloseCode(code)));
    let initResult: unknown;
    try {
      initResult = this.#handle.init({
        connect: options.connectString,
        timeout: options.sessionTimeoutMs,
        ...(session && {
          client_id: idToHex(session.sessionId),
          client_password: passwordToHex(session.password),
        }),
      });
    } catch (error) {
      initResult = error;
    }
    // `init()` returns (not throws) an Error when zookeeper_init() fails, and throws on
    // malformed options; the handle then never emits anything. (An unknown host does not
    // fail here: the C client resolves lazily and keeps the transport connecting.)
    if (initResult instanceof Error) {
      const error = initResult;
      setImmediate(() => this.#die({ kind: 'closed', error }));
    }
  }

  get state(): TransportState {
    return this.#state;
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  create(path: string, data: Uint8Array, options: CreateOptions): Promise<CreateResult> {
    const refusal = createRefusal(path, options);
    if (refusal !== undefined) return this.#refuse(path, refusal);
    const flags = CREATE_MODE_FLAGS[options.mode];
    const withTtl = isTtlMode(options.mode);
    const buffer = toBuffer(data);
    return this.#run<CreateResult>(path, (done) => {
      const cb = (rc: number, _e: string, created: string) => done(rc, () => ({ path: created }));
      return withTtl
        ? this.#handle.a_createTtl(path, buffer, flags, options.ttlMs!, cb)
        : this.#handle.a_create(path, buffer, flags, cb);
    });
  }

  delete(path: string, version: number): Promise<void> {
    return this.#run<void>(path, (done) =>
      this.#handle.a_delete_(path, version, (rc) => done(rc, () => undefined)),
    );
  }

  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    return this.#run<Stat | null>(path, (done) => {
      // A missing node is a result, not an error (the watch is set all the same).
      const cb = (rc: number, _e: string, stat: unknown) =>
        rc === RC.NONODE
          ? done(RC.OK, () => null)
          : done(rc, () => toStat(stat as Parameters<typeof toStat>[0]));
      return watcher
        ? this.#handle.aw_exists(path, this.#watch(watcher), cb)
        : this.#handle.a_exists(path, false, cb);
    });
  }

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    return this.#run(path, (done) => {
      // The C client reports a node stored with null data as a null value.
      const cb = (
        rc: number,
        _e: string,
        stat: Parameters<typeof toStat>[0] | null,
        data: Buffer | null,
      ) => done(rc, () => ({ data: data ?? Buffer.alloc(0), stat: toStat(stat!) }));
      return watcher
        ? this.#handle.aw_get(path, this.#watch(watcher), cb)
        : this.#handle.a_get(path, false, cb);
    });
  }

  setData(path: string, data: Uint8Array, version: number): Promise<Stat> {
    const buffer = toBuffer(data);
    // The version is always passed: the binding reads a missing one as 0, not -1 ("any").
    return this.#run(path, (done) =>
      this.#handle.a_set(path, buffer, version, (rc, _e, stat) => done(rc, () => toStat(stat!))),
    );
  }

  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    return this.#run(path, (done) => {
      const cb = (
        rc: number,
        _e: string,
        children: string[] | null,
        stat: Parameters<typeof toStat>[0] | null,
      ) => done(rc, () => ({ children: children ?? [], stat: toStat(stat!) }));
      return watcher
        ? this.#handle.aw_get_children2(path, this.#watch(watcher), cb)
        : this.#handle.a_get_children2(path, false, cb);
    });
  }

  getAllChildrenNumber(path: string): Promise<number> {
    return this.#unimplemented(path, 'getAllChildrenNumber');
  }

  getEphemerals(prefixPath: string): Promise<string[]> {
    return this.#unimplemented(prefixPath, 'getEphemerals');
  }

  sync(path: string): Promise<void> {
    return this.#run(path, (done) => this.#handle.a_sync(path, (rc) => done(rc, () => undefined)));
  }

  getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    return this.#run(path, (done) =>
      this.#handle.a_get_acl(path, (rc, _e, acl, stat) =>
        done(rc, () => ({ acl: (acl ?? []).map(toAcl), stat: toStat(stat!) })),
      ),
    );
  }

  /**
   * The binding's `a_set_acl` completion carries no stat, so the stat is read by an `exists`
   * sent right behind it on the same connection: it shows the node at least as new as the
   * setAcl (a change by another client in between shows too).
   */
  setAcl(path: string, acl: readonly Acl[], version: number): Promise<Stat> {
    const set = this.#run<void>(path, (done) =>
      this.#handle.a_set_acl(path, version, acl.map(fromAcl), (rc) => done(rc, () => undefined)),
    );
    const read = this.exists(path);
    // The read's own failure matters only when the setAcl succeeded, and is awaited then.
    read.catch(() => undefined);
    return set.then(async () => {
      const stat = await read;
      if (stat === null) throw new ZkError('NONODE', path);
      return stat;
    });
  }

  multi(_ops: readonly MultiOp[]): Promise<MultiResult[]> {
    return this.#unimplemented(undefined, 'multi');
  }

  multiRead(_ops: readonly MultiReadOp[]): Promise<MultiReadResult[]> {
    return this.#unimplemented(undefined, 'multiRead');
  }

  addWatch(path: string, _mode: AddWatchMode, _watcher: Watcher): Promise<void> {
    return this.#unimplemented(path, 'addWatch');
  }

  removeWatches(path: string, _kind: WatcherKind): Promise<void> {
    return this.#unimplemented(path, 'removeWatches');
  }

  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    // The binding passes `auth` through a UTF-8 string (Nan::Utf8String), so only bytes that
    // survive that round trip can be sent unchanged.
    const text = Buffer.from(toBuffer(auth)).toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(toBuffer(auth))) {
      return this.#refuse(
        undefined,
        new InvalidArgumentError('auth', 'the native transport can only send UTF-8 auth data'),
      );
    }
    return this.#run<void>(undefined, (done) =>
      this.#handle.add_auth(scheme, text, (rc) => done(rc, () => undefined)),
    );
  }

  async close(): Promise<void> {
    if (this.#isDead()) return;
    // Emits `close` with code 0 synchronously when the handle was initialised.
    this.#handle.close();
    this.#die({ kind: 'closed' });
  }

  /**
   * Issues one call. `issue` makes the binding call and returns its synchronous code; the
   * completion must call `done` exactly once.
   */
  #run<T>(path: string | undefined, issue: (done: Done<T>) => number): Promise<T> {
    const op = this.#ops.add<T>(path);
    if (this.#isDead()) {
      op.reject(deadError(this.#state, path));
      return op.promise;
    }
    if (!this.#isConnected()) {
      op.reject(new ConnectionLossError(path));
      return op.promise;
    }
    let rc: number;
    try {
      rc = issue((code, result) => this.#complete(op, path, code, result));
    } catch (error) {
      // The binding throws only for a wrong argument count or type; never expected.
      op.reject(error);
      return op.promise;
    }
    if (rc !== RC.OK) op.reject(errorForCode(rc, path));
    return op.promise;
  }

  #complete<T>(op: PendingOp<T>, path: string | undefined, rc: number, result: () => T): void {
    if (rc === RC.OK) {
      op.resolve(result());
    } else if (rc === RC.CLOSING) {
      // zookeeper_close() completes pending calls with -116 just before the binding emits
      // `close` with the reason, and Node runs microtasks between the two callbacks: only the
      // `close` handler (#die) knows whether this is expiry or a close. It settles the call;
      // this is a fallback in case no `close` event follows.
      setImmediate(() => op.reject(deadError(this.#state, path)));
    } else {
      if (rc === RC.CONNECTIONLOSS && this.#handle.state !== CONNECTED_STATE)
        this.#onConnectionLost();
      op.reject(errorForCode(rc, path));
    }
  }

  /** Rejects a call that can never work here; a dead transport still says it is dead. */
  #refuse<T>(path: string | undefined, error: Error): Promise<T> {
    const op = this.#ops.add<T>(path);
    op.reject(this.#isDead() ? deadError(this.#state, path) : error);
    return op.promise;
  }

  #unimplemented<T>(path: string | undefined, operation: string): Promise<T> {
    return this.#refuse(
      path,
      new ZkError('UNIMPLEMENTED', path, {
        message: `native transport: ${operation} is not in the zookeeper binding`,
      }),
    );
  }

  /** Wraps a Watcher: session events drive our state; only real triggers reach the watcher. */
  #watch(watcher: Watcher): NativeWatchCb {
    return (type, state, path) => {
      if (type === SESSION_EVENT) {
        if (state === CONNECTED_STATE) this.#onConnected();
        else this.#onConnectionLost();
        return;
      }
      const eventType = WATCH_EVENT_TYPES[type];
      if (eventType === undefined || this.#isDead()) return;
      try {
        watcher({ type: eventType, path });
      } catch (error) {
        reportListenerError(error);
      }
    };
  }

  #onConnected(): void {
    if (this.#isDead() || this.#state.kind === 'connected') return;
    // A queued `connect` may arrive after the connection dropped again.
    if (this.#handle.state !== CONNECTED_STATE) return;
    this.#setState({
      kind: 'connected',
      sessionId: idFromHex(this.#handle.client_id),
      password: passwordFromHex(this.#handle.client_password),
      negotiatedTimeoutMs: this.#handle.timeout,
      readOnly: false,
    });
  }

  #onConnectionLost(): void {
    if (this.#state.kind !== 'connected') return;
    this.#setState({ kind: 'disconnected', error: new ConnectionLossError() });
  }

  #die(state: DeadState): void {
    if (this.#isDead()) return;
    this.#setState(state);
    this.#ops.rejectAll((path) => deadError(state, path));
    this.#listeners.clear();
  }

  #setState(state: TransportState): void {
    this.#state = state;
    for (const listener of [...this.#listeners]) {
      try {
        listener(state);
      } catch (error) {
        reportListenerError(error);
      }
    }
  }

  #isDead(): boolean {
    return this.#state.kind === 'expired' || this.#state.kind === 'closed';
  }

  /** Both our view and the C client's: its events reach us late. */
  #isConnected(): boolean {
    if (this.#state.kind !== 'connected') return false;
    if (this.#handle.state === CONNECTED_STATE) return true;
    this.#onConnectionLost();
    return false;
  }
}
