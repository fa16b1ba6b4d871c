/** Unit tests of the native transport's pure parts: value conversions and code mapping. */
import { describe, expect, test } from 'vitest';
import {
  ConnectionLossError,
  SessionClosedError,
  SessionExpiredError,
  ZkError,
} from '../../src/session/errors.js';
import {
  deadError,
  errorForCode,
  stateForCloseCode,
} from '../../src/session/transport/native/errors.js';
import {
  fromAcl,
  idFromHex,
  idToHex,
  passwordFromHex,
  passwordToHex,
  toAcl,
  toStat,
} from '../../src/session/transport/native/stat.js';

describe('session ids and passwords', () => {
  test('ids are signed 64-bit like Java longs and round-trip through the binding hex', () => {
    expect(idFromHex('100000517100000')).toBe(0x100000517100000n);
    expect(idFromHex('ff00000000000001')).toBe(-0xffffffffffffffn);
    for (const id of [1n, 0x7fffffffffffffffn, -1n, -0x8000000000000000n]) {
      expect(idFromHex(idToHex(id))).toBe(id);
    }
  });

  test('passwords go to the binding as upper-case hex, which is all its decoder reads', () => {
    const password = Buffer.from('00ff10abcdef0123456789abcdef0a0b', 'hex');
    expect(passwordToHex(password)).toBe('00FF10ABCDEF0123456789ABCDEF0A0B');
    expect(passwordFromHex('00FF10ABCDEF0123456789ABCDEF0A0B').equals(password)).toBe(true);
  });
});

test('stats: zxids as bigints, dates as ms, the hex owner as a session id', () => {
  const ctime = new Date('2026-01-02T03:04:05.678Z');
  const stat = toStat({
    czxid: 2 ** 40 + 5,
    mzxid: 2 ** 40 + 7,
    pzxid: 2 ** 40 + 6,
    dataLength: 3,
    numChildren: 1,
    version: 2,
    cversion: 1,
    aversion: 0,
    ctime,
    mtime: ctime,
    ephemeralOwner: '300000cfdd30000',
  });
  expect(stat).toEqual({
    czxid: 2n ** 40n + 5n,
    mzxid: 2n ** 40n + 7n,
    pzxid: 2n ** 40n + 6n,
    dataLength: 3,
    numChildren: 1,
    version: 2,
    cversion: 1,
    aversion: 0,
    ctime: ctime.getTime(),
    mtime: ctime.getTime(),
    ephemeralOwner: 0x300000cfdd30000n,
  });
  expect(toStat(statOf('0')).ephemeralOwner).toBe(0n);
});

function statOf(ephemeralOwner: string) {
  const at = new Date(0);
  return {
    czxid: 1,
    mzxid: 1,
    pzxid: 1,
    dataLength: 0,
    numChildren: 0,
    version: 0,
    cversion: 0,
    aversion: 0,
    ctime: at,
    mtime: at,
    ephemeralOwner,
  };
}

test('ACLs: the binding calls the id `auth`', () => {
  const acl = { perms: 31, scheme: 'digest', id: 'u:hash' };
  expect(fromAcl(acl)).toEqual({ perms: 31, scheme: 'digest', auth: 'u:hash' });
  expect(toAcl(fromAcl(acl))).toEqual(acl);
});

describe('result and close codes', () => {
  test('completion codes become typed errors with the path', () => {
    expect(errorForCode(-4, '/a')).toBeInstanceOf(ConnectionLossError);
    expect(errorForCode(-112, '/a')).toBeInstanceOf(SessionExpiredError);
    const noNode = errorForCode(-101, '/a') as ZkError;
    expect(noNode).toMatchObject({ code: 'NONODE', rawCode: -101, path: '/a' });
    expect((errorForCode(-999, undefined) as ZkError).code).toBe('UNKNOWN');
  });

  test('ZINVALIDSTATE (a call on a handle that is not usable) is a connection loss', () => {
    expect(errorForCode(-9, '/a')).toBeInstanceOf(ConnectionLossError);
  });

  test('close codes: -112 expired, 0 closed, others closed with the error', () => {
    expect(stateForCloseCode(-112)).toEqual({ kind: 'expired' });
    expect(stateForCloseCode(0)).toEqual({ kind: 'closed' });
    const authFailed = stateForCloseCode(-113);
    expect(authFailed.kind).toBe('closed');
    expect(authFailed.kind === 'closed' && authFailed.error).toBeInstanceOf(ZkError);
  });

  test('a dead transport rejects with the error of its end', () => {
    expect(deadError({ kind: 'expired' }, '/a')).toBeInstanceOf(SessionExpiredError);
    expect(deadError({ kind: 'closed' }, '/a')).toBeInstanceOf(SessionClosedError);
  });
});
