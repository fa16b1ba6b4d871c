/**
 * `Transport` over ZooKeeper's own protocol. One WireTransport is one client handle: it keeps a
 * session alive over a sequence of Connections to the servers of the connect string, resuming it
 * with its id, password and last zxid, re-sending auth and re-registering watches (SetWatches)
 * on each new connection, as ClientCnxn.primeConnection does. It reports `expired` only when a
 * server says so (a ConnectResponse with timeout <= 0); a partitioned client stays
 * `disconnected` and keeps trying, and the session layer decides when it has waited too long.
 */
import { debuglog } from 'node:util';
import {
  ConnectionLossError,
  InvalidArgumentError,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
  zkError,
} from '../../errors.js';
import type {
  Acl,
  AddWatchMode,
  CreateOptions,
  CreateResult,
  MultiOp,
  MultiReadOp,
  MultiReadResult,
  MultiResult,
  Stat,
  Transport,
  TransportOptions,
  TransportState,
  WatchEvent,
  Watcher,
  WatcherKind,
} from '../types.js';
import { CREATE_MODE_FLAGS, WATCH_EVENT_TYPES } from '../types.js';
import { Chroot } from './chroot.js';
import { Connection, type Decoder } from './connection.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frames.js';
import { formatHostPort, HostList, type HostPort, parseConnectString } from './host-list.js';
import { type JuteWriter, stringBound } from './jute.js';
import { AddWatchModeCode, Err, OpCode, WatcherType, Xid } from './opcodes.js';
import {
  aclBound,
  type ConnectResponse,
  createBound,
  createOpCode,
  multiBound,
  multiReadBound,
  readMultiResults,
  readStat,
  type WatcherEventRecord,
  writeAuth,
  writeCreate,
  writeMulti,
  writeMultiRead,
  writePathInt,
  writePathWatch,
  writeSetAcl,
  writeSetData,
  writeSetWatches,
} from './records.js';
import { decodeGetAcl, decodeInt, decodeMultiRead, decodeStat, decodeVoid } from './replies.js';
import { batchWatchPaths, WatchRegistry } from './watches.js';

/** Connection attempts, handshakes and drops; enable with NODE_DEBUG=zk-wire. */
const debug = debuglog('zk-wire');

/** ClientCnxn.SET_WATCHES_MAX_LENGTH: path bytes per SetWatches frame. */
const SET_WATCHES_MAX_PATH_BYTES = 128 * 1024;
/** Bounds of the time one connection attempt (TCP, TLS and handshake) may take. */
const MIN_CONNECT_TIMEOUT_MS = 1000;
const MAX_CONNECT_TIMEOUT_MS = 5000;
/** How long close() waits for the reply to closeSession before dropping the socket. */
const CLOSE_REPLY_WAIT_MS = 1000;
/** A ConnectRequest with session id 0 and this password asks for a new session. */
const NO_PASSWORD = Buffer.alloc(16);

interface AuthWaiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class WireTransport implements Transport {
  readonly kind = 'wire';
  readonly #options: TransportOptions;
  readonly #chroot: Chroot;
  readonly #hosts: HostList;
  readonly #maxFrameBytes: number;
  readonly #listeners = new Set<(state: TransportState) => void>();
  readonly #watches = new WatchRegistry();
  /** addAuth credentials, re-sent first on every new connection. */
  readonly #auth: Array<{ scheme: string; auth: Buffer }> = [];
  /** addAuth calls waiting for their reply (xid -4), oldest first. */
  #authWaiters: AuthWaiter[] = [];
  /** Auth replies still due for credentials re-sent on the current connection. */
  #authResent = 0;
  #state: TransportState = { kind: 'connecting' };
  #conn: Connection | undefined;
  #sessionId: bigint;
  #password: Buffer;
  #negotiatedTimeoutMs = 0;
  /** The zxid of the last reply seen, across connections (ConnectRequest.lastZxidSeen). */
  readonly #zxid = { last: 0n };
  #retryTimer: NodeJS.Timeout | undefined;
  /** Set by close(): no new operations, no reconnects. */
  #closing = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: TransportOptions) {
    this.#options = options;
    const { hosts, chroot } = parseConnectString(options.connectString);
    this.#chroot = new Chroot(chroot);
    this.#hosts = new HostList(hosts);
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#sessionId = options.session?.sessionId ?? 0n;
    this.#password = options.session?.password ?? NO_PASSWORD;
    this.#connectNext();
  }

  get state(): TransportState {
    return this.#state;
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- connection lifecycle ----

  get #isDead(): boolean {
    return this.#state.kind === 'expired' || this.#state.kind === 'closed';
  }

  #setState(state: TransportState): void {
    this.#state = state;
    for (const listener of this.#listeners) {
      try {
        listener(state);
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #connectNext(): void {
    if (this.#closing || this.#isDead) return;
    const { host, delayMs } = this.#hosts.next();
    if (delayMs === 0) {
      this.#open(host);
      return;
    }
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (!this.#closing && !this.#isDead) this.#open(host);
    }, delayMs);
  }

  /**
   * ClientCnxn's connectTimeout (sessionTimeout / number of servers), but at most a third of the
   * session timeout and 5 s: a server that accepts the TCP connection while restarting may never
   * answer the ConnectRequest (seen with 3.8), and a hung attempt must leave time for another
   * before the session expires.
   */
  #connectTimeoutMs(): number {
    const timeout = this.#negotiatedTimeoutMs || this.#options.sessionTimeoutMs;
    const perAttempt = Math.floor(timeout / Math.max(3, this.#hosts.size));
    return Math.min(MAX_CONNECT_TIMEOUT_MS, Math.max(MIN_CONNECT_TIMEOUT_MS, perAttempt));
  }

  #connect(host: HostPort): Connection {
    const conn: Connection = new Connection(
      {
        host,
        tls: this.#options.tls,
        connectTimeoutMs: this.#connectTimeoutMs(),
        maxFrameBytes: this.#maxFrameBytes,
        zxid: this.#zxid,
      },
      {
        onHandshake: (response) => this.#conn === conn && this.#onHandshake(host, response),
        onNotification: (event) => this.#conn === conn && this.#onNotification(event),
        onAuthReply: (err) => this.#conn === conn && this.#onAuthReply(err),
        onClose: (error, established) => this.#conn === conn && this.#onClose(error, established),
      },
    );
    return conn;
  }

  #open(host: HostPort): void {
    debug('session 0x%s: connecting to %s', this.#sessionId.toString(16), formatHostPort(host));
    let conn: Connection;
    try {
      conn = this.#connect(host);
    } catch (error) {
      // Only options that can never work throw here (a malformed TLS key or certificate). Not
      // synchronously: the first attempt runs inside the factory, which must not emit states.
      const cause = error instanceof Error ? error : new Error(String(error));
      queueMicrotask(() =>
        this.#die(
          { kind: 'closed', error: cause },
          new SessionClosedError('cannot connect', { cause }),
        ),
      );
      return;
    }
    this.#conn = conn;
    // primeConnection order: ConnectRequest, then auth, then SetWatches, all before the
    // ConnectResponse arrives; the server handles them in order once the session is valid.
    conn.sendConnect({
      lastZxidSeen: this.#zxid.last,
      timeoutMs: this.#options.sessionTimeoutMs,
      sessionId: this.#sessionId,
      password: this.#password,
      readOnly: this.#options.canBeReadOnly ?? false,
    });
    for (const { scheme, auth } of this.#auth) {
      conn.sendSpecial(OpCode.auth, Xid.auth, 4 + stringBound(scheme) + 4 + auth.length, (w) =>
        writeAuth(w, scheme, auth),
      );
    }
    this.#authResent = this.#auth.length;
    this.#sendSetWatches(conn);
  }

  /**
   * SetWatches (101) asks the server to re-arm the watches of this session and to fire at once
   * those whose node changed after `relativeZxid`. SetWatches2 (105, 3.6+) also carries the
   * persistent watches; it is sent only when there are some, so 3.5 servers keep working.
   */
  #sendSetWatches(conn: Connection): void {
    if (this.#watches.isEmpty) return;
    const v2 = this.#watches.hasPersistent;
    const relativeZxid = this.#zxid.last;
    for (const batch of batchWatchPaths(
      this.#watches.paths(this.#chroot.toServer),
      SET_WATCHES_MAX_PATH_BYTES,
    )) {
      let bound = 8 + 5 * 4; // relativeZxid and up to five vector counts
      for (const list of Object.values(batch)) for (const p of list) bound += stringBound(p);
      conn.sendSpecial(v2 ? OpCode.setWatches2 : OpCode.setWatches, Xid.setWatches, bound, (w) =>
        writeSetWatches(w, relativeZxid, batch, v2),
      );
    }
  }

  #onHandshake(host: HostPort, response: ConnectResponse): void {
    debug(
      'session 0x%s: %s answered timeout=%d session=0x%s',
      this.#sessionId.toString(16),
      formatHostPort(host),
      response.timeoutMs,
      response.sessionId.toString(16),
    );
    if (this.#closing) return;
    if (response.timeoutMs <= 0) {
      // ClientCnxn.onConnected: a non-positive timeout means the server no longer has the session.
      this.#die({ kind: 'expired' }, new SessionExpiredError());
      return;
    }
    this.#hosts.connected();
    this.#sessionId = response.sessionId;
    this.#password = response.password;
    this.#negotiatedTimeoutMs = response.timeoutMs;
    this.#setState({
      kind: 'connected',
      sessionId: response.sessionId,
      password: response.password,
      negotiatedTimeoutMs: response.timeoutMs,
      server: formatHostPort(host),
      readOnly: response.readOnly,
    });
  }

  #onClose(error: Error, established: boolean): void {
    debug(
      'session 0x%s: connection closed (established=%s): %s',
      this.#sessionId.toString(16),
      established,
      error.message,
    );
    this.#conn = undefined;
    this.#authResent = 0;
    const waiters = this.#authWaiters;
    this.#authWaiters = [];
    for (const w of waiters) w.reject(new ConnectionLossError(undefined, { cause: error }));
    if (this.#closing || this.#isDead) return;
    if (established && this.#state.kind === 'connected')
      this.#setState({ kind: 'disconnected', error });
    this.#connectNext();
  }

  /** Ends the transport for good: expired, or closed (by close() or a fatal error). */
  #die(state: TransportState & { kind: 'expired' | 'closed' }, error: Error): void {
    if (this.#isDead) return;
    clearTimeout(this.#retryTimer);
    this.#watches.clear();
    const waiters = this.#authWaiters;
    this.#authWaiters = [];
    for (const w of waiters) w.reject(error);
    this.#state = state;
    this.#conn?.destroy(error);
    this.#conn = undefined;
    this.#setState(state);
  }

  #onAuthReply(err: number): void {
    if (this.#authResent > 0) {
      this.#authResent--;
    } else {
      const waiter = this.#authWaiters.shift();
      if (err === Err.ok) waiter?.resolve();
      else waiter?.reject(zkError(err));
    }
    // The server closes the connection after AUTHFAILED; like ClientCnxn's AUTH_FAILED state,
    // the handle is finished (reconnecting would present the same credentials again).
    if (err === Err.authFailed) {
      const error = new ZkError('AUTHFAILED');
      this.#die(
        { kind: 'closed', error },
        new SessionClosedError('authentication failed', { cause: error }),
      );
    }
  }

  #onNotification(event: WatcherEventRecord): void {
    const type = WATCH_EVENT_TYPES[event.type];
    // Type -1 (None) carries connection states, which the transport reports through onState.
    if (type === undefined) return;
    const path = this.#chroot.toClient(event.path);
    const watchers = this.#watches.trigger(type, path);
    if (watchers.size === 0) return;
    const watchEvent: WatchEvent = { type, path };
    // After the replies already resolved from the same chunk, so a caller sees a result before
    // the trigger that follows it.
    queueMicrotask(() => {
      if (this.#isDead) return;
      for (const watcher of watchers) callWatcher(watcher, watchEvent);
    });
  }

  // ---- operations ----

  /** The connection to send on, or the error to reject with (contract: never queue). */
  #ready(path: string | undefined): Connection | Error {
    if (this.#state.kind === 'expired') return new SessionExpiredError(path);
    if (this.#closing || this.#state.kind === 'closed') return new SessionClosedError();
    if (this.#state.kind !== 'connected' || this.#conn === undefined)
      return new ConnectionLossError(path);
    return this.#conn;
  }

  #send<T>(
    type: number,
    path: string | undefined,
    bound: number,
    encode: (w: JuteWriter) => void,
    decode: Decoder<T>,
    watcher?: Watcher,
  ): Promise<T> {
    const conn = this.#ready(path);
    if (conn instanceof Error) return Promise.reject(conn);
    try {
      return conn.request(type, bound, encode, path, watcher, decode);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  create(path: string, data: Uint8Array, options: CreateOptions): Promise<CreateResult> {
    const flags = CREATE_MODE_FLAGS[options.mode];
    if (flags === undefined)
      return Promise.reject(new InvalidArgumentError('mode', String(options.mode)));
    const type = createOpCode(flags);
    const ttlMs = type === OpCode.createTTL ? options.ttlMs : undefined;
    if (type === OpCode.createTTL && ttlMs === undefined) {
      return Promise.reject(new InvalidArgumentError('ttlMs', `required for mode ${options.mode}`));
    }
    const server = this.#chroot.toServer(path);
    return this.#send(
      type,
      path,
      createBound(server, data, options.acl),
      (w) => writeCreate(w, server, data, options.acl, flags, ttlMs),
      this.#decodeCreate,
    );
  }

  /** Create2Response {path; stat}: create2, createContainer and createTTL all answer with it. */
  readonly #decodeCreate: Decoder<CreateResult> = (r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    const path = this.#chroot.toClient(r.string());
    return { path, stat: readStat(r) };
  };

  delete(path: string, version: number): Promise<void> {
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.delete,
      path,
      stringBound(server) + 4,
      (w) => writePathInt(w, server, version),
      decodeVoid,
    );
  }

  exists(path: string, watcher?: Watcher): Promise<Stat | null> {
    const server = this.#chroot.toServer(path);
    const watch = watcher !== undefined;
    return this.#send(
      OpCode.exists,
      path,
      stringBound(server) + 1,
      (w) => writePathWatch(w, server, watch),
      this.#decodeExists,
      watcher,
    );
  }

  /** ExistsWatchRegistration: a data watch on an existing node, an exist watch on NONODE. */
  readonly #decodeExists: Decoder<Stat | null> = (r, err, req) => {
    if (err === Err.noNode) {
      if (req.watcher !== undefined) this.#watches.add('exist', req.path!, req.watcher);
      return null;
    }
    if (err !== Err.ok) throw zkError(err, req.path);
    const stat = readStat(r);
    if (req.watcher !== undefined) this.#watches.add('data', req.path!, req.watcher);
    return stat;
  };

  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }> {
    const server = this.#chroot.toServer(path);
    const watch = watcher !== undefined;
    return this.#send(
      OpCode.getData,
      path,
      stringBound(server) + 1,
      (w) => writePathWatch(w, server, watch),
      this.#decodeGetData,
      watcher,
    );
  }

  readonly #decodeGetData: Decoder<{ data: Buffer; stat: Stat }> = (r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    const data = r.buffer();
    const stat = readStat(r);
    if (req.watcher !== undefined) this.#watches.add('data', req.path!, req.watcher);
    return { data, stat };
  };

  setData(path: string, data: Uint8Array, version: number): Promise<Stat> {
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.setData,
      path,
      stringBound(server) + 4 + data.length + 4,
      (w) => writeSetData(w, server, data, version),
      decodeStat,
    );
  }

  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }> {
    const server = this.#chroot.toServer(path);
    const watch = watcher !== undefined;
    return this.#send(
      OpCode.getChildren2,
      path,
      stringBound(server) + 1,
      (w) => writePathWatch(w, server, watch),
      this.#decodeGetChildren,
      watcher,
    );
  }

  readonly #decodeGetChildren: Decoder<{ children: string[]; stat: Stat }> = (r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    const children = r.stringVector();
    const stat = readStat(r);
    if (req.watcher !== undefined) this.#watches.add('child', req.path!, req.watcher);
    return { children, stat };
  };

  getAllChildrenNumber(path: string): Promise<number> {
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.getAllChildrenNumber,
      path,
      stringBound(server),
      (w) => w.string(server),
      decodeInt,
    );
  }

  getEphemerals(prefixPath: string): Promise<string[]> {
    const server = this.#chroot.toServer(prefixPath);
    return this.#send(
      OpCode.getEphemerals,
      prefixPath,
      stringBound(server),
      (w) => w.string(server),
      this.#decodeEphemerals,
    );
  }

  readonly #decodeEphemerals: Decoder<string[]> = (r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    const paths = r.stringVector();
    for (let i = 0; i < paths.length; i++) paths[i] = this.#chroot.toClient(paths[i]!);
    return paths;
  };

  sync(path: string): Promise<void> {
    const server = this.#chroot.toServer(path);
    return this.#send(OpCode.sync, path, stringBound(server), (w) => w.string(server), decodeVoid);
  }

  getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }> {
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.getACL,
      path,
      stringBound(server),
      (w) => w.string(server),
      decodeGetAcl,
    );
  }

  setAcl(path: string, acl: readonly Acl[], version: number): Promise<Stat> {
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.setACL,
      path,
      stringBound(server) + aclBound(acl) + 4,
      (w) => writeSetAcl(w, server, acl, version),
      decodeStat,
    );
  }

  multi(ops: readonly MultiOp[]): Promise<MultiResult[]> {
    for (const op of ops) {
      if (
        op.op === 'create' &&
        createOpCode(CREATE_MODE_FLAGS[op.options.mode]) === OpCode.createTTL
      ) {
        if (op.options.ttlMs === undefined) {
          return Promise.reject(
            new InvalidArgumentError('ttlMs', `required for mode ${op.options.mode}`),
          );
        }
      }
    }
    return this.#send(
      OpCode.multi,
      undefined,
      multiBound(ops, this.#chroot.prefix),
      (w) => writeMulti(w, ops, this.#chroot.toServer),
      this.#decodeMulti,
    );
  }

  /**
   * A failed multi still answers with per-op results (the failed op's code, the others rolled
   * back); only a request the server could not process at all has an error and no body.
   */
  readonly #decodeMulti: Decoder<MultiResult[]> = (r, err) => {
    if (err !== Err.ok && r.remaining === 0) throw zkError(err);
    return readMultiResults(r, this.#chroot.toClient);
  };

  multiRead(ops: readonly MultiReadOp[]): Promise<MultiReadResult[]> {
    return this.#send(
      OpCode.multiRead,
      undefined,
      multiReadBound(ops, this.#chroot.prefix),
      (w) => writeMultiRead(w, ops, this.#chroot.toServer),
      decodeMultiRead,
    );
  }

  addWatch(path: string, mode: AddWatchMode, watcher: Watcher): Promise<void> {
    const code = AddWatchModeCode[mode];
    if (code === undefined) return Promise.reject(new InvalidArgumentError('mode', String(mode)));
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.addWatch,
      path,
      stringBound(server) + 4,
      (w) => writePathInt(w, server, code),
      mode === 'persistent' ? this.#decodeAddPersistent : this.#decodeAddRecursive,
      watcher,
    );
  }

  readonly #decodeAddPersistent: Decoder<void> = (_r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    this.#watches.add('persistent', req.path!, req.watcher!);
  };

  readonly #decodeAddRecursive: Decoder<void> = (_r, err, req) => {
    if (err !== Err.ok) throw zkError(err, req.path);
    this.#watches.add('persistentRecursive', req.path!, req.watcher!);
  };

  removeWatches(path: string, kind: WatcherKind): Promise<void> {
    const type = WatcherType[kind];
    if (type === undefined) return Promise.reject(new InvalidArgumentError('kind', String(kind)));
    const server = this.#chroot.toServer(path);
    return this.#send(
      OpCode.removeWatches,
      path,
      stringBound(server) + 4,
      (w) => writePathInt(w, server, type),
      (_r, err, req) => {
        if (err !== Err.ok) throw zkError(err, req.path);
        // ZKWatchManager tells each removed watcher with a *WatchRemoved event.
        const removed = this.#watches.remove(path, kind);
        if (removed.length > 0) {
          queueMicrotask(() => {
            if (this.#isDead) return;
            for (const [watcher, event] of removed) callWatcher(watcher, event);
          });
        }
      },
    );
  }

  addAuth(scheme: string, auth: Uint8Array): Promise<void> {
    const conn = this.#ready(undefined);
    if (conn instanceof Error) return Promise.reject(conn);
    const bytes = Buffer.from(auth);
    if (!this.#auth.some((a) => a.scheme === scheme && a.auth.equals(bytes)))
      this.#auth.push({ scheme, auth: bytes });
    try {
      conn.sendSpecial(OpCode.auth, Xid.auth, 4 + stringBound(scheme) + 4 + bytes.length, (w) =>
        writeAuth(w, scheme, bytes),
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<void>((resolve, reject) => this.#authWaiters.push({ resolve, reject }));
  }

  close(): Promise<void> {
    this.#closePromise ??= this.#close();
    return this.#closePromise;
  }

  async #close(): Promise<void> {
    const conn = this.#state.kind === 'connected' ? this.#conn : undefined;
    this.#closing = true;
    clearTimeout(this.#retryTimer);
    if (conn !== undefined) {
      // closeSession (-11): the server ends the session (its ephemeral nodes go at once), then
      // replies and closes the socket.
      const reply = conn
        .request(OpCode.closeSession, 0, noBody, undefined, undefined, decodeVoid)
        .catch(() => {});
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, CLOSE_REPLY_WAIT_MS);
      });
      await Promise.race([reply, timeout]);
      clearTimeout(timer);
    }
    this.#die({ kind: 'closed' }, new SessionClosedError());
  }
}

function noBody(): void {}

function callWatcher(watcher: Watcher, event: WatchEvent): void {
  try {
    watcher(event);
  } catch (error) {
    // A throwing watcher must not stop the others; surface it like an EventEmitter listener error.
    queueMicrotask(() => {
      throw error;
    });
  }
}
