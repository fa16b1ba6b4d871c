/**
 * Encoders and decoders of the records of `zookeeper.jute` that the client sends and receives.
 * Encoders write a record body into a frame the caller has begun; `...Bound` functions give an
 * upper bound of the encoded size for `JuteWriter.begin`. Decoders read by offset and throw only
 * `ProtocolError` (through `JuteReader`) on malformed input.
 */
import { ProtocolError } from '../../errors.js';
import type { Acl, MultiOp, MultiReadOp, MultiReadResult, MultiResult, Stat } from '../types.js';
import { CREATE_MODE_FLAGS } from '../types.js';
import { type JuteReader, type JuteWriter, stringBound } from './jute.js';
import { OpCode } from './opcodes.js';

/** RequestHeader {int xid; int type} */
export const REQUEST_HEADER_BYTES = 8;

export function writeRequestHeader(w: JuteWriter, xid: number, type: number): void {
  w.int(xid);
  w.int(type);
}

export interface ConnectRequest {
  lastZxidSeen: bigint;
  timeoutMs: number;
  sessionId: bigint;
  password: Buffer;
  readOnly: boolean;
}

/** ConnectRequest has no RequestHeader. ClientCnxn appends the `readOnly` flag after the record. */
export function writeConnectRequest(w: JuteWriter, req: ConnectRequest): void {
  w.begin(4 + 8 + 4 + 8 + 4 + req.password.length + 1);
  w.int(0); // protocolVersion
  w.long(req.lastZxidSeen);
  w.int(req.timeoutMs);
  w.long(req.sessionId);
  w.buffer(req.password);
  w.bool(req.readOnly);
  w.end();
}

export interface ConnectResponse {
  timeoutMs: number;
  sessionId: bigint;
  password: Buffer;
  readOnly: boolean;
}

/** Servers before 3.4 omit the trailing `readOnly` byte (ClientCnxnSocket.readConnectResult). */
export function readConnectResponse(r: JuteReader): ConnectResponse {
  r.int(); // protocolVersion
  const timeoutMs = r.int();
  const sessionId = r.long();
  const password = r.buffer();
  const readOnly = r.remaining > 0 ? r.bool() : false;
  return { timeoutMs, sessionId, password, readOnly };
}

export function readStat(r: JuteReader): Stat {
  return {
    czxid: r.long(),
    mzxid: r.long(),
    ctime: r.longNumber(),
    mtime: r.longNumber(),
    version: r.int(),
    cversion: r.int(),
    aversion: r.int(),
    ephemeralOwner: r.long(),
    dataLength: r.int(),
    numChildren: r.int(),
    pzxid: r.long(),
  };
}

export function aclBound(acl: readonly Acl[]): number {
  let n = 4;
  for (const a of acl) n += 4 + stringBound(a.scheme) + stringBound(a.id);
  return n;
}

/** vector<ACL>, ACL {int perms; Id {ustring scheme; ustring id}} */
export function writeAcl(w: JuteWriter, acl: readonly Acl[]): void {
  w.int(acl.length);
  for (const a of acl) {
    w.int(a.perms);
    w.string(a.scheme);
    w.string(a.id);
  }
}

export function readAcl(r: JuteReader): Acl[] {
  const n = r.vectorLength(12);
  const out = new Array<Acl>(n);
  for (let i = 0; i < n; i++) out[i] = { perms: r.int(), scheme: r.string(), id: r.string() };
  return out;
}

/** GetDataRequest / ExistsRequest / GetChildren2Request: {ustring path; boolean watch} */
export function writePathWatch(w: JuteWriter, path: string, watch: boolean): void {
  w.string(path);
  w.bool(watch);
}

/** DeleteRequest / CheckVersionRequest {path; version}, AddWatchRequest {path; mode}, RemoveWatchesRequest {path; type}. */
export function writePathInt(w: JuteWriter, path: string, n: number): void {
  w.string(path);
  w.int(n);
}

export function createBound(path: string, data: Uint8Array, acl: readonly Acl[]): number {
  return stringBound(path) + 4 + data.length + aclBound(acl) + 4 + 8;
}

/** CreateRequest {path; data; acl; flags}, or CreateTTLRequest with a trailing `long ttl`. */
export function writeCreate(
  w: JuteWriter,
  path: string,
  data: Uint8Array,
  acl: readonly Acl[],
  flags: number,
  ttlMs: number | undefined,
): void {
  w.string(path);
  w.buffer(data);
  writeAcl(w, acl);
  w.int(flags);
  if (ttlMs !== undefined) w.longNumber(ttlMs);
}

/** The request type for a create mode: TTL and container nodes have their own (ZooKeeper.create). */
export function createOpCode(flags: number): number {
  if (
    flags === CREATE_MODE_FLAGS.persistentWithTtl ||
    flags === CREATE_MODE_FLAGS.persistentSequentialWithTtl
  ) {
    return OpCode.createTTL;
  }
  return flags === CREATE_MODE_FLAGS.container ? OpCode.createContainer : OpCode.create2;
}

/** SetDataRequest {path; data; version} */
export function writeSetData(w: JuteWriter, path: string, data: Uint8Array, version: number): void {
  w.string(path);
  w.buffer(data);
  w.int(version);
}

/** SetACLRequest {path; acl; version} */
export function writeSetAcl(
  w: JuteWriter,
  path: string,
  acl: readonly Acl[],
  version: number,
): void {
  w.string(path);
  writeAcl(w, acl);
  w.int(version);
}

/** AuthPacket {int type; ustring scheme; buffer auth}; `type` is always 0. */
export function writeAuth(w: JuteWriter, scheme: string, auth: Uint8Array): void {
  w.int(0);
  w.string(scheme);
  w.buffer(auth);
}

export interface WatchPaths {
  data: string[];
  exist: string[];
  child: string[];
  persistent: string[];
  persistentRecursive: string[];
}

/**
 * SetWatches {relativeZxid; dataWatches; existWatches; childWatches}, and SetWatches2 with the
 * persistent and persistent-recursive lists after them.
 */
export function writeSetWatches(
  w: JuteWriter,
  relativeZxid: bigint,
  paths: WatchPaths,
  v2: boolean,
): void {
  w.long(relativeZxid);
  w.stringVector(paths.data);
  w.stringVector(paths.exist);
  w.stringVector(paths.child);
  if (v2) {
    w.stringVector(paths.persistent);
    w.stringVector(paths.persistentRecursive);
  }
}

export interface WatcherEventRecord {
  type: number;
  state: number;
  path: string;
}

/** WatcherEvent {int type; int state; ustring path} */
export function readWatcherEvent(r: JuteReader): WatcherEventRecord {
  return { type: r.int(), state: r.int(), path: r.string() };
}

/** MultiHeader {int type; boolean done; int err} */
const MULTI_HEADER_BYTES = 9;

function writeMultiHeader(w: JuteWriter, type: number, done: boolean, err: number): void {
  w.int(type);
  w.bool(done);
  w.int(err);
}

export function multiBound(ops: readonly MultiOp[], prefix: string): number {
  let n = MULTI_HEADER_BYTES;
  for (const op of ops) {
    n += MULTI_HEADER_BYTES + stringBound(prefix) + stringBound(op.path) + 4;
    if (op.op === 'create') n += createBound('', op.data, op.options.acl);
    else if (op.op === 'setData') n += 4 + op.data.length;
  }
  return n;
}

/**
 * MultiOperationRecord: each op is a MultiHeader (done=false, err=-1) and its request record; a
 * header with type -1, done=true ends the list. Paths get the chroot `prefix`.
 */
export function writeMulti(
  w: JuteWriter,
  ops: readonly MultiOp[],
  prefix: (path: string) => string,
): void {
  for (const op of ops) {
    const path = prefix(op.path);
    switch (op.op) {
      case 'create': {
        const flags = CREATE_MODE_FLAGS[op.options.mode];
        const type = createOpCode(flags);
        writeMultiHeader(w, type, false, -1);
        writeCreate(
          w,
          path,
          op.data,
          op.options.acl,
          flags,
          type === OpCode.createTTL ? (op.options.ttlMs ?? 0) : undefined,
        );
        break;
      }
      case 'delete':
        writeMultiHeader(w, OpCode.delete, false, -1);
        writePathInt(w, path, op.version);
        break;
      case 'setData':
        writeMultiHeader(w, OpCode.setData, false, -1);
        writeSetData(w, path, op.data, op.version);
        break;
      case 'check':
        writeMultiHeader(w, OpCode.check, false, -1);
        writePathInt(w, path, op.version);
        break;
    }
  }
  writeMultiHeader(w, -1, true, -1);
}

/** MultiResponse: MultiHeader and result record per op, until a header with done=true. */
export function readMultiResults(r: JuteReader, strip: (path: string) => string): MultiResult[] {
  const out: MultiResult[] = [];
  for (;;) {
    const type = r.int();
    const done = r.bool();
    const err = r.int();
    if (done) return out;
    switch (type) {
      case OpCode.create:
        out.push({ op: 'create', path: strip(r.string()) });
        break;
      case OpCode.create2:
      case OpCode.createContainer:
      case OpCode.createTTL:
        out.push({ op: 'create', path: strip(r.string()), stat: readStat(r) });
        break;
      case OpCode.delete:
        out.push({ op: 'delete' });
        break;
      case OpCode.setData:
        out.push({ op: 'setData', stat: readStat(r) });
        break;
      case OpCode.check:
        out.push({ op: 'check' });
        break;
      case OpCode.error:
        // ErrorResponse {int err} follows the header, which carries the same code.
        out.push({ op: 'error', code: r.int() });
        break;
      default:
        throw new ProtocolError(`unknown multi result type ${type} (err ${err})`);
    }
  }
}

export function multiReadBound(ops: readonly MultiReadOp[], prefix: string): number {
  let n = MULTI_HEADER_BYTES;
  for (const op of ops) n += MULTI_HEADER_BYTES + stringBound(prefix) + stringBound(op.path) + 1;
  return n;
}

/** A multiRead is a MultiOperationRecord of GetChildrenRequest / GetDataRequest without watches. */
export function writeMultiRead(
  w: JuteWriter,
  ops: readonly MultiReadOp[],
  prefix: (path: string) => string,
): void {
  for (const op of ops) {
    writeMultiHeader(w, op.op === 'getData' ? OpCode.getData : OpCode.getChildren, false, -1);
    writePathWatch(w, prefix(op.path), false);
  }
  writeMultiHeader(w, -1, true, -1);
}

export function readMultiReadResults(r: JuteReader): MultiReadResult[] {
  const out: MultiReadResult[] = [];
  for (;;) {
    const type = r.int();
    const done = r.bool();
    r.int(); // err, repeated in the ErrorResponse
    if (done) return out;
    switch (type) {
      case OpCode.getData: {
        const data = r.buffer();
        out.push({ op: 'getData', data, stat: readStat(r) });
        break;
      }
      case OpCode.getChildren:
        out.push({ op: 'getChildren', children: r.stringVector() });
        break;
      case OpCode.error:
        out.push({ op: 'error', code: r.int() });
        break;
      default:
        throw new ProtocolError(`unknown multiRead result type ${type}`);
    }
  }
}
