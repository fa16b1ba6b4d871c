/**
 * Conversions between the binding's value formats and ours: stats, session ids, passwords and
 * ACLs.
 */
import type { Acl, Stat } from '../types.js';
import type { NativeAclOut, NativeStat } from './binding.js';

/** Bytes in a ZooKeeper session password. */
export const PASSWORD_BYTES = 16;

/**
 * A 64-bit id from the binding's `%llx` hex string, as a signed bigint like Java's `long`
 * (ids of servers with myid >= 128, and TTL nodes' `ephemeralOwner`, have the top bit set).
 */
export function idFromHex(hex: string): bigint {
  return BigInt.asIntN(64, BigInt(`0x${hex}`));
}

/** A session id as the binding's `init()` parses it back (`%llx`, two's complement). */
export function idToHex(id: bigint): string {
  return BigInt.asUintN(64, id).toString(16);
}

export function passwordFromHex(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}

/** Upper case: the binding's decoder (node-zk.cpp `hexToFourBits`) only knows 0-9 and A-F. */
export function passwordToHex(password: Buffer): string {
  return password.toString('hex').toUpperCase();
}

/**
 * Our Stat from the binding's. The binding turns the int64 zxids into doubles, which is exact
 * up to 2^53: an epoch below 2^21 with any counter, i.e. always in practice.
 */
export function toStat(s: NativeStat): Stat {
  return {
    czxid: BigInt(s.czxid),
    mzxid: BigInt(s.mzxid),
    ctime: s.ctime.getTime(),
    mtime: s.mtime.getTime(),
    version: s.version,
    cversion: s.cversion,
    aversion: s.aversion,
    ephemeralOwner: idFromHex(s.ephemeralOwner),
    dataLength: s.dataLength,
    numChildren: s.numChildren,
    pzxid: BigInt(s.pzxid),
  };
}

export function toAcl(a: NativeAclOut): Acl {
  return { perms: a.perms, scheme: a.scheme, id: a.auth };
}

export function fromAcl(a: Acl): NativeAclOut {
  return { perms: a.perms, scheme: a.scheme, auth: a.id };
}
