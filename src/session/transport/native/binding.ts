/**
 * The part of the `zookeeper` npm package (7.3.0, the Node binding of the ZooKeeper C client
 * 3.8) that the native transport uses, typed from its source (lib/zookeeper.js,
 * src/node-zk.cpp) rather than from its bundled declarations, which type most results `any`.
 *
 * Binding facts this file records (all read in node_modules/zookeeper):
 * - Every raw `a_*`/`aw_*` method returns the C client's synchronous result code. When it is not
 *   0 (e.g. -8 ZBADARGUMENTS for a bad path, -9 ZINVALIDSTATE once the handle is closed) the
 *   completion callback is never called.
 * - A missing callback is not checked in release builds: the C++ side casts it to a function
 *   and the process dies. Callers must always pass both callbacks.
 * - Completions get the numeric result code first (`rc`, 0 = ok) and `zerror(rc)` second.
 * - Session ids and `ephemeralOwner` arrive as lower-case hex strings without `0x`
 *   (`%llx`); the password as 32 upper-case hex digits; zxids as JS numbers (doubles).
 */
import { createRequire } from 'node:module';

/** A stat object as the binding builds it (`createStatObject` in node-zk.cpp). */
export interface NativeStat {
  czxid: number;
  mzxid: number;
  pzxid: number;
  dataLength: number;
  numChildren: number;
  version: number;
  cversion: number;
  aversion: number;
  ctime: Date;
  mtime: Date;
  /** Hex session id of the owner, `0` for a persistent node. */
  ephemeralOwner: string;
}

/** An ACL entry as the binding returns it (`auth` is ZooKeeper's `id`). */
export interface NativeAclOut {
  perms: number;
  scheme: string;
  auth: string;
}

/** Watch callback: `(type, state, path)`; type -1 is a session event, not a trigger. */
export type NativeWatchCb = (type: number, state: number, path: string) => void;
export type NativeVoidCb = (rc: number, error: string) => void;
export type NativeStringCb = (rc: number, error: string, value: string) => void;
export type NativeStatCb = (rc: number, error: string, stat: NativeStat | null) => void;
export type NativeDataCb = (
  rc: number,
  error: string,
  stat: NativeStat | null,
  data: Buffer | null,
) => void;
export type NativeChildren2Cb = (
  rc: number,
  error: string,
  children: string[] | null,
  stat: NativeStat | null,
) => void;
export type NativeAclCb = (
  rc: number,
  error: string,
  acl: NativeAclOut[] | null,
  stat: NativeStat | null,
) => void;

/** The options `init()` reads (node-zk.cpp `Init`). */
export interface NativeInitConfig {
  connect: string;
  /** Requested session timeout in ms. */
  timeout: number;
  /** Hex session id; only together with `client_password`. */
  client_id?: string;
  /** 32 hex digits; only together with `client_id`. */
  client_password?: string;
}

/** One handle of the binding's `ZooKeeper` class (the JS wrapper in lib/zookeeper.js). */
export interface NativeHandle {
  /** Returns the handle, or (without throwing) an Error when `zookeeper_init` failed. */
  init(config: NativeInitConfig): unknown;
  close(): unknown;
  on(event: 'connect' | 'connecting', listener: () => void): unknown;
  /** `code` is 0 for `close()`, -112 for an expired session, -113 for failed auth. */
  on(event: 'close', listener: (handle: unknown, code: number) => void): unknown;
  /** `zoo_state()`: 3 connected, 1/2 connecting, 0 not connected, -112 expired. */
  readonly state: number;
  /** The session id as hex (the one asked for until the first connect). */
  readonly client_id: string;
  readonly client_password: string;
  /** `zoo_recv_timeout()`: the negotiated session timeout once connected. */
  readonly timeout: number;

  a_create(path: string, data: Buffer, flags: number, cb: NativeStringCb): number;
  a_createTtl(path: string, data: Buffer, flags: number, ttl: number, cb: NativeStringCb): number;
  a_exists(path: string, watch: boolean, cb: NativeStatCb): number;
  aw_exists(path: string, watch: NativeWatchCb, cb: NativeStatCb): number;
  a_get(path: string, watch: boolean, cb: NativeDataCb): number;
  aw_get(path: string, watch: NativeWatchCb, cb: NativeDataCb): number;
  a_get_children2(path: string, watch: boolean, cb: NativeChildren2Cb): number;
  aw_get_children2(path: string, watch: NativeWatchCb, cb: NativeChildren2Cb): number;
  a_set(path: string, data: Buffer, version: number, cb: NativeStatCb): number;
  a_delete_(path: string, version: number, cb: NativeVoidCb): number;
  a_sync(path: string, cb: NativeStringCb): number;
  a_get_acl(path: string, cb: NativeAclCb): number;
  /** Takes entries with `perms`; the wrapper renames it to the `perm` the C++ side reads. */
  a_set_acl(path: string, version: number, acl: NativeAclOut[], cb: NativeVoidCb): number;
  add_auth(scheme: string, auth: string, cb: NativeVoidCb): number;
}

type NativeHandleClass = new () => NativeHandle;

let handleClass: NativeHandleClass | undefined;

/**
 * The binding's handle class, loaded on first use: importing the native transport must not
 * load a native addon that a user of the default (wire) transport may not have built.
 */
export function newNativeHandle(): NativeHandle {
  if (handleClass === undefined) {
    handleClass = createRequire(import.meta.url)('zookeeper') as NativeHandleClass;
  }
  return new handleClass();
}
