/**
 * Argument checks that run before any call reaches a transport: a value that can never work
 * fails here with an InvalidArgumentError that names it, instead of crashing a native handle or
 * dropping the connection (a create over the server's 1 MB limit makes the server close the
 * socket; the C client then reports a connection loss, not a size error).
 */
import { InvalidArgumentError } from './errors.js';
import { type Acl, CREATE_MODE_FLAGS, type CreateMode } from './transport/types.js';

/**
 * jute.maxbuffer, the server's default limit for one request (0xfffff bytes). A request also
 * carries a header and the path, so the data alone must stay below it: we keep 1 KiB aside.
 */
export const DEFAULT_MAX_DATA_BYTES = 0xfffff - 1024;

/** ZooKeeper's largest TTL (EphemeralType.TTL: 40 bits of milliseconds). */
const MAX_TTL_MS = 2 ** 40 - 1;

/** Converts user data (bytes or a UTF-8 string) to bytes and checks its size. */
export function toBytes(data: unknown, maxBytes: number, argument = 'data'): Uint8Array {
  let bytes: Uint8Array;
  if (data === undefined || data === null) bytes = new Uint8Array(0);
  else if (typeof data === 'string') bytes = Buffer.from(data, 'utf8');
  else if (data instanceof Uint8Array) bytes = data;
  else
    throw new InvalidArgumentError(
      argument,
      `expected a Uint8Array, Buffer or string, got ${describe(data)}`,
    );
  if (bytes.byteLength > maxBytes) {
    throw new InvalidArgumentError(
      argument,
      `${bytes.byteLength} bytes is over the limit of ${maxBytes} bytes`,
    );
  }
  return bytes;
}

export function validateMode(mode: unknown): asserts mode is CreateMode {
  if (typeof mode !== 'string' || !Object.hasOwn(CREATE_MODE_FLAGS, mode)) {
    throw new InvalidArgumentError(
      'mode',
      `expected one of ${Object.keys(CREATE_MODE_FLAGS).join(', ')}, got ${describe(mode)}`,
    );
  }
}

export function isTtlMode(mode: CreateMode): boolean {
  return mode === 'persistentWithTtl' || mode === 'persistentSequentialWithTtl';
}

export function isSequentialMode(mode: CreateMode): boolean {
  return (
    mode === 'persistentSequential' ||
    mode === 'ephemeralSequential' ||
    mode === 'persistentSequentialWithTtl'
  );
}

export function validateTtl(mode: CreateMode, ttlMs: unknown): void {
  if (isTtlMode(mode)) {
    if (typeof ttlMs !== 'number' || !Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > MAX_TTL_MS) {
      throw new InvalidArgumentError(
        'ttlMs',
        `mode ${mode} needs an integer TTL in 1..${MAX_TTL_MS} ms, got ${describe(ttlMs)}`,
      );
    }
  } else if (ttlMs !== undefined) {
    throw new InvalidArgumentError('ttlMs', `a TTL is only allowed with a TTL mode, not ${mode}`);
  }
}

/** A node version: -1 means "any version", otherwise a signed 32-bit non-negative integer. */
export function validateVersion(version: unknown): number {
  if (version === undefined) return -1;
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version < -1 ||
    version > 0x7fffffff
  ) {
    throw new InvalidArgumentError(
      'version',
      `expected an integer in -1..2147483647, got ${describe(version)}`,
    );
  }
  return version;
}

export function validateAcl(acl: unknown): asserts acl is readonly Acl[] {
  if (!Array.isArray(acl) || acl.length === 0) {
    throw new InvalidArgumentError(
      'acl',
      `expected a non-empty array of ACL entries, got ${describe(acl)}`,
    );
  }
  for (const entry of acl as unknown[]) {
    const e = entry as Partial<Acl> | null;
    if (
      typeof e !== 'object' ||
      e === null ||
      typeof e.perms !== 'number' ||
      !Number.isInteger(e.perms) ||
      e.perms < 1 ||
      e.perms > 31 ||
      typeof e.scheme !== 'string' ||
      e.scheme === '' ||
      typeof e.id !== 'string'
    ) {
      throw new InvalidArgumentError(
        'acl',
        `bad entry ${describe(entry)}: needs perms 1..31, a scheme and an id`,
      );
    }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return `${typeof value} ${String(value)}`;
}
