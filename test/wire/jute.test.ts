/** Round-trips of the jute primitives and the records the wire transport encodes and decodes. */
import { describe, expect, test } from 'vitest';
import { ProtocolError } from '../../src/session/errors.js';
import { OPEN_ACL_UNSAFE, type Stat } from '../../src/session/transport/types.js';
import { JuteReader, JuteWriter } from '../../src/session/transport/wire/jute.js';
import { OpCode } from '../../src/session/transport/wire/opcodes.js';
import {
  readAcl,
  readConnectResponse,
  readMultiResults,
  readStat,
  writeAcl,
  writeConnectRequest,
  writeMulti,
} from '../../src/session/transport/wire/records.js';

/** Encodes one frame with `encode` and returns a reader over its body (after the length). */
function roundTrip(bound: number, encode: (w: JuteWriter) => void): JuteReader {
  const w = new JuteWriter();
  w.begin(bound);
  encode(w);
  w.end();
  const frame = Buffer.concat(w.take());
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  return new JuteReader().reset(frame, 4, frame.length);
}

describe('jute primitives', () => {
  test('int, long, bool, buffer, ustring and vector round-trip', () => {
    const r = roundTrip(200, (w) => {
      w.int(-2);
      w.int(0x7fffffff);
      w.long(-1n);
      w.long(0x7fffffffffffffffn);
      w.longNumber(1_795_000_000_123);
      w.bool(true);
      w.bool(false);
      w.buffer(Buffer.from([1, 2, 3]));
      w.buffer(new Uint8Array(0));
      w.string('/zk/ünïcode/😀');
      w.stringVector(['a', '', 'ccc']);
    });
    expect(r.int()).toBe(-2);
    expect(r.int()).toBe(0x7fffffff);
    expect(r.long()).toBe(-1n);
    expect(r.long()).toBe(0x7fffffffffffffffn);
    expect(r.longNumber()).toBe(1_795_000_000_123);
    expect(r.bool()).toBe(true);
    expect(r.bool()).toBe(false);
    expect([...r.buffer()]).toEqual([1, 2, 3]);
    expect(r.buffer().length).toBe(0);
    expect(r.string()).toBe('/zk/ünïcode/😀');
    expect(r.stringVector()).toEqual(['a', '', 'ccc']);
    expect(r.remaining).toBe(0);
  });

  test('null buffer and ustring (length -1) read as empty', () => {
    const r = roundTrip(8, (w) => {
      w.int(-1);
      w.int(-1);
    });
    expect(r.buffer().length).toBe(0);
    expect(r.string()).toBe('');
  });

  test('reading past the end and impossible vector counts are ProtocolErrors', () => {
    const r = roundTrip(8, (w) => w.int(1_000_000));
    expect(() => new JuteReader().reset(Buffer.alloc(3), 0, 3).int()).toThrow(ProtocolError);
    expect(() => r.stringVector()).toThrow(ProtocolError);
  });

  test('a batch of frames larger than a slab keeps every frame intact and in order', () => {
    const w = new JuteWriter();
    const big = Buffer.alloc(100_000, 7);
    for (let i = 0; i < 5; i++) {
      w.begin(4 + big.length + 4);
      w.int(i);
      w.buffer(big);
      w.end();
    }
    const all = Buffer.concat(w.take());
    expect(w.take()).toEqual([]);
    const r = new JuteReader();
    let pos = 0;
    for (let i = 0; i < 5; i++) {
      const len = all.readInt32BE(pos);
      r.reset(all, pos + 4, pos + 4 + len);
      expect(r.int()).toBe(i);
      expect(r.buffer().equals(big)).toBe(true);
      pos += 4 + len;
    }
    expect(pos).toBe(all.length);
  });

  test('a writer starts with a small slab and grows it: many small frames, taken between batches, stay intact', () => {
    const w = new JuteWriter();
    w.begin(4);
    w.int(-1);
    w.end();
    // The first slab is 1 KB: its first frame is a subarray of a buffer far smaller than 64 KB.
    expect(w.take()[0]!.buffer.byteLength).toBeLessThan(64 * 1024);
    const out: Buffer[] = [];
    for (let batch = 0; batch < 40; batch++) {
      for (let i = 0; i < 50; i++) {
        w.begin(8);
        w.int(batch);
        w.int(i);
        w.end();
      }
      out.push(...w.take()); // as a flush does: these bytes are never written again
    }
    const all = Buffer.concat(out);
    expect(all.length).toBe(40 * 50 * 12);
    for (let k = 0; k < 40 * 50; k++) {
      expect(all.readInt32BE(k * 12)).toBe(8);
      expect(all.readInt32BE(k * 12 + 4)).toBe(Math.floor(k / 50));
      expect(all.readInt32BE(k * 12 + 8)).toBe(k % 50);
    }
  });

  test('a frame whose encoding fails is dropped', () => {
    const w = new JuteWriter();
    w.begin(4);
    w.int(1);
    w.end();
    w.begin(4);
    w.int(2);
    w.abort();
    expect(Buffer.concat(w.take())).toEqual(Buffer.from([0, 0, 0, 4, 0, 0, 0, 1]));
  });
});

describe('records', () => {
  const stat: Stat = {
    czxid: 1n,
    mzxid: 2n,
    ctime: 1_700_000_000_000,
    mtime: 1_700_000_000_001,
    version: 3,
    cversion: 4,
    aversion: 5,
    ephemeralOwner: 0x1234_5678_9abc_def0n,
    dataLength: 6,
    numChildren: 7,
    pzxid: 8n,
  };
  const writeStat = (w: JuteWriter, s: Stat) => {
    w.long(s.czxid);
    w.long(s.mzxid);
    w.longNumber(s.ctime);
    w.longNumber(s.mtime);
    w.int(s.version);
    w.int(s.cversion);
    w.int(s.aversion);
    w.long(s.ephemeralOwner);
    w.int(s.dataLength);
    w.int(s.numChildren);
    w.long(s.pzxid);
  };

  test('Stat and ACL vectors round-trip', () => {
    const acl = [...OPEN_ACL_UNSAFE, { perms: 1, scheme: 'digest', id: 'u:hash=' }];
    const r = roundTrip(200, (w) => {
      writeStat(w, stat);
      writeAcl(w, acl);
    });
    expect(readStat(r)).toEqual(stat);
    expect(readAcl(r)).toEqual(acl);
  });

  test('ConnectRequest layout: protocolVersion, lastZxidSeen, timeout, sessionId, passwd, readOnly', () => {
    const w = new JuteWriter();
    writeConnectRequest(w, {
      lastZxidSeen: 9n,
      timeoutMs: 4000,
      sessionId: 0x100n,
      password: Buffer.alloc(16, 1),
      readOnly: true,
    });
    const frame = Buffer.concat(w.take());
    const r = new JuteReader().reset(frame, 4, frame.length);
    expect(r.int()).toBe(0);
    expect(r.long()).toBe(9n);
    expect(r.int()).toBe(4000);
    expect(r.long()).toBe(0x100n);
    expect(r.buffer()).toEqual(Buffer.alloc(16, 1));
    expect(r.bool()).toBe(true);
    expect(r.remaining).toBe(0);
  });

  test('ConnectResponse with and without the trailing readOnly byte', () => {
    const body = (ro: boolean | undefined) =>
      roundTrip(64, (w) => {
        w.int(0);
        w.int(6000);
        w.long(77n);
        w.buffer(Buffer.alloc(16, 2));
        if (ro !== undefined) w.bool(ro);
      });
    expect(readConnectResponse(body(true))).toEqual({
      timeoutMs: 6000,
      sessionId: 77n,
      password: Buffer.alloc(16, 2),
      readOnly: true,
    });
    expect(readConnectResponse(body(undefined)).readOnly).toBe(false);
  });

  test('multi requests end with a done header; responses decode per op and strip the chroot', () => {
    const w = new JuteWriter();
    w.begin(1000);
    writeMulti(
      w,
      [
        { op: 'check', path: '/a', version: 1 },
        { op: 'delete', path: '/b', version: -1 },
      ],
      (p) => `/root${p}`,
    );
    w.end();
    const frame = Buffer.concat(w.take());
    const r = new JuteReader().reset(frame, 4, frame.length);
    expect([r.int(), r.bool(), r.int(), r.string(), r.int()]).toEqual([
      OpCode.check,
      false,
      -1,
      '/root/a',
      1,
    ]);
    expect([r.int(), r.bool(), r.int(), r.string(), r.int()]).toEqual([
      OpCode.delete,
      false,
      -1,
      '/root/b',
      -1,
    ]);
    expect([r.int(), r.bool(), r.int()]).toEqual([-1, true, -1]);

    const reply = roundTrip(500, (w2) => {
      const header = (type: number, err = 0) => {
        w2.int(type);
        w2.bool(false);
        w2.int(err);
      };
      header(OpCode.create);
      w2.string('/root/x');
      header(OpCode.create2);
      w2.string('/root/y');
      writeStat(w2, stat);
      header(OpCode.setData);
      writeStat(w2, stat);
      header(OpCode.error, -101);
      w2.int(-101);
      w2.int(-1);
      w2.bool(true);
      w2.int(-1);
    });
    expect(readMultiResults(reply, (p) => p.slice('/root'.length))).toEqual([
      { op: 'create', path: '/x' },
      { op: 'create', path: '/y', stat },
      { op: 'setData', stat },
      { op: 'error', code: -101 },
    ]);
  });
});
