/**
 * The Transport interface: what one ZooKeeper client connection does.
 *
 * A Transport is one client handle: it connects (with or without an existing session id and
 * password), keeps its session alive across reconnects to any server of the connect string,
 * runs operations, delivers watch triggers, reports its state, and closes. Only `src/session`
 * uses it. Two implementations pass the same contract suite (`test/transport-contract`):
 * `wire/` (pure TypeScript, the default) and `native/` (the `zookeeper` npm binding).
 *
 * Contract, for every implementation:
 * - Creating a transport starts connecting at once; state changes arrive through `onState`
 *   listeners, never synchronously from the factory.
 * - `connected` is emitted on the first connect and on every reconnect of the same session.
 *   `disconnected` when the connection is lost while the session may still live.
 *   `expired` when the server reports the session expired; `closed` after `close()` or a fatal
 *   error. After `expired` or `closed` the transport is dead for good: every pending and later
 *   operation rejects (SessionExpiredError / SessionClosedError), and no watcher is called.
 * - Operations issued while not connected reject at once with ConnectionLossError; operations in
 *   flight when the connection drops reject with ConnectionLossError (they may have been applied).
 * - Results of operations resolve in the order the requests were issued.
 * - Watchers are one-time (except `addWatch`) and get only real triggers (created, deleted,
 *   dataChanged, childrenChanged, ...), never connection-state noise. Watches set before a
 *   disconnect stay registered across the reconnect of the same session, and fire for changes
 *   made while disconnected.
 * - Paths are absolute paths relative to the chroot of the connect string, already validated.
 * - An operation the implementation or server lacks rejects with ZkError code `UNIMPLEMENTED`.
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';

/** ZooKeeper node metadata. 64-bit fields are bigints. */
export interface Stat {
  czxid: bigint;
  mzxid: bigint;
  ctime: number;
  mtime: number;
  version: number;
  cversion: number;
  aversion: number;
  ephemeralOwner: bigint;
  dataLength: number;
  numChildren: number;
  pzxid: bigint;
}

export type CreateMode =
  | 'persistent'
  | 'ephemeral'
  | 'persistentSequential'
  | 'ephemeralSequential'
  | 'container'
  | 'persistentWithTtl'
  | 'persistentSequentialWithTtl';

/** ZooKeeper's numeric create flags, as on the wire. */
export const CREATE_MODE_FLAGS: Readonly<Record<CreateMode, number>> = {
  persistent: 0,
  ephemeral: 1,
  persistentSequential: 2,
  ephemeralSequential: 3,
  container: 4,
  persistentWithTtl: 5,
  persistentSequentialWithTtl: 6,
};

export const Perms = {
  READ: 1,
  WRITE: 2,
  CREATE: 4,
  DELETE: 8,
  ADMIN: 16,
  ALL: 31,
} as const;

export interface Acl {
  /** Bit set of `Perms`. */
  perms: number;
  scheme: string;
  id: string;
}

/** world:anyone with all permissions (ZooDefs.Ids.OPEN_ACL_UNSAFE). */
export const OPEN_ACL_UNSAFE: readonly Acl[] = [
  { perms: Perms.ALL, scheme: 'world', id: 'anyone' },
];
/** All permissions for the authenticated creator (ZooDefs.Ids.CREATOR_ALL_ACL). */
export const CREATOR_ALL_ACL: readonly Acl[] = [{ perms: Perms.ALL, scheme: 'auth', id: '' }];
/** world:anyone read-only (ZooDefs.Ids.READ_ACL_UNSAFE). */
export const READ_ACL_UNSAFE: readonly Acl[] = [
  { perms: Perms.READ, scheme: 'world', id: 'anyone' },
];

export type WatchEventType =
  | 'created'
  | 'deleted'
  | 'dataChanged'
  | 'childrenChanged'
  | 'dataWatchRemoved'
  | 'childWatchRemoved'
  | 'persistentWatchRemoved';

/** ZooKeeper's numeric watch event types, as on the wire. */
export const WATCH_EVENT_TYPES: Readonly<Record<number, WatchEventType>> = {
  1: 'created',
  2: 'deleted',
  3: 'dataChanged',
  4: 'childrenChanged',
  5: 'dataWatchRemoved',
  6: 'childWatchRemoved',
  7: 'persistentWatchRemoved',
};

export interface WatchEvent {
  type: WatchEventType;
  /** The path that triggered, relative to the chroot. */
  path: string;
}

export type Watcher = (event: WatchEvent) => void;

export type AddWatchMode = 'persistent' | 'persistentRecursive';
export type WatcherKind = 'children' | 'data' | 'any';

export interface CreateOptions {
  mode: CreateMode;
  acl: readonly Acl[];
  /** Required for the TTL modes, ignored otherwise. */
  ttlMs?: number;
}

export interface CreateResult {
  /** The actual path created (with the sequence suffix for sequential modes). */
  path: string;
  /** The new node's stat, when the implementation can return it (create2). */
  stat?: Stat;
}

export type MultiOp =
  | { op: 'create'; path: string; data: Uint8Array; options: CreateOptions }
  | { op: 'delete'; path: string; version: number }
  | { op: 'setData'; path: string; data: Uint8Array; version: number }
  | { op: 'check'; path: string; version: number };

export type MultiResult =
  | { op: 'create'; path: string; stat?: Stat }
  | { op: 'delete' }
  | { op: 'setData'; stat: Stat }
  | { op: 'check' }
  /** `code` is the numeric ZooKeeper code of this op; 0 (OK) for ops rolled back because another op failed. */
  | { op: 'error'; code: number };

export type MultiReadOp = { op: 'getData'; path: string } | { op: 'getChildren'; path: string };

export type MultiReadResult =
  | { op: 'getData'; data: Buffer; stat: Stat }
  | { op: 'getChildren'; children: string[] }
  | { op: 'error'; code: number };

export interface SessionCredentials {
  sessionId: bigint;
  /** The 16-byte session password. */
  password: Buffer;
}

export type TransportState =
  | { kind: 'connecting' }
  | {
      kind: 'connected';
      sessionId: bigint;
      password: Buffer;
      negotiatedTimeoutMs: number;
      /** host:port of the server, when known. */
      server?: string;
      readOnly: boolean;
    }
  | { kind: 'disconnected'; error?: Error }
  | { kind: 'expired' }
  | { kind: 'closed'; error?: Error };

export interface TransportOptions {
  /** `host:port[,host:port...][/chroot]`. */
  connectString: string;
  /** Requested session timeout; the server negotiates within its min/max. */
  sessionTimeoutMs: number;
  /** Resume this session instead of starting a new one. */
  session?: SessionCredentials;
  /** Allow connecting to a read-only server (ZooKeeper's canBeReadOnly). */
  canBeReadOnly?: boolean;
  /** TLS options for `tls.connect` (wire transport only). */
  tls?: TlsOptions;
  /** Largest frame accepted from the server (jute.maxbuffer); wire transport only. */
  maxFrameBytes?: number;
}

export interface Transport {
  /** `wire` or `native`. */
  readonly kind: string;
  /** The current state. */
  readonly state: TransportState;

  /** Subscribes to state changes; returns the unsubscribe function. */
  onState(listener: (state: TransportState) => void): () => void;

  create(path: string, data: Uint8Array, options: CreateOptions): Promise<CreateResult>;
  delete(path: string, version: number): Promise<void>;
  /** Resolves null when the node does not exist (the watch is still set then). */
  exists(path: string, watcher?: Watcher): Promise<Stat | null>;
  getData(path: string, watcher?: Watcher): Promise<{ data: Buffer; stat: Stat }>;
  setData(path: string, data: Uint8Array, version: number): Promise<Stat>;
  getChildren(path: string, watcher?: Watcher): Promise<{ children: string[]; stat: Stat }>;
  getAllChildrenNumber(path: string): Promise<number>;
  getEphemerals(prefixPath: string): Promise<string[]>;
  sync(path: string): Promise<void>;
  getAcl(path: string): Promise<{ acl: Acl[]; stat: Stat }>;
  setAcl(path: string, acl: readonly Acl[], version: number): Promise<Stat>;
  /** Runs the ops atomically. Resolves with per-op results, also when an op failed. */
  multi(ops: readonly MultiOp[]): Promise<MultiResult[]>;
  multiRead(ops: readonly MultiReadOp[]): Promise<MultiReadResult[]>;
  /** A persistent watch (ZooKeeper 3.6+): the watcher is called for every trigger until removed. */
  addWatch(path: string, mode: AddWatchMode, watcher: Watcher): Promise<void>;
  /** Removes this client's watches of `kind` on `path` (server and client side). */
  removeWatches(path: string, kind: WatcherKind): Promise<void>;
  addAuth(scheme: string, auth: Uint8Array): Promise<void>;
  /** Closes the session on the server (its ephemeral nodes go at once) and the connection. Idempotent. */
  close(): Promise<void>;
}

export type TransportFactory = (options: TransportOptions) => Transport;
