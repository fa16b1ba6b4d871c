/**
 * The frame decoder and the reply decoders on hostile input: random, truncated and oversized
 * frames raise ProtocolError and nothing else, and the decoder never buffers more than one frame.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ProtocolError } from '../../src/session/errors.js';
import { FrameDecoder } from '../../src/session/transport/wire/frames.js';
import { JuteReader } from '../../src/session/transport/wire/jute.js';
import {
  readAcl,
  readConnectResponse,
  readMultiReadResults,
  readMultiResults,
  readStat,
  readWatcherEvent,
} from '../../src/session/transport/wire/records.js';

const MAX = 4096;

function frame(body: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + body.length);
  out.writeInt32BE(body.length, 0);
  out.set(body, 4);
  return out;
}

/** Splits `bytes` at the given cut points into chunks, as a socket may deliver them. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

describe('FrameDecoder', () => {
  test('reassembles valid frames however the stream is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 16, maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (bodies, cuts) => {
          const got: Buffer[] = [];
          const d = new FrameDecoder(MAX, (buf, s, e) => got.push(Buffer.from(buf.subarray(s, e))));
          for (const c of chunks(Buffer.concat(bodies.map(frame)), cuts)) d.push(c);
          expect(got.map((b) => [...b])).toEqual(bodies.map((b) => [...b]));
          expect(d.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('random bytes raise only ProtocolError and never buffer more than a frame and a chunk', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 20 }), (input) => {
        const d = new FrameDecoder(MAX, () => {});
        try {
          for (const c of input) {
            d.push(Buffer.from(c));
            expect(d.bufferedBytes).toBeLessThanOrEqual(MAX + 4 + 2000);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });

  test('an oversized or undersized length is rejected as soon as its prefix arrives', () => {
    for (const len of [MAX + 1, 0x7fffffff, -1, 0, 15]) {
      const d = new FrameDecoder(MAX, () => {});
      const prefix = Buffer.alloc(4);
      prefix.writeInt32BE(len, 0);
      d.push(prefix.subarray(0, 2));
      expect(() => d.push(prefix.subarray(2))).toThrow(ProtocolError);
    }
  });

  test('a truncated frame stays buffered, bounded by its length', () => {
    const d = new FrameDecoder(MAX, () => {
      throw new Error('no frame expected');
    });
    const f = frame(new Uint8Array(1000));
    d.push(f.subarray(0, 500));
    expect(d.bufferedBytes).toBe(500);
  });
});

describe('reply decoders on random bytes', () => {
  const decoders: Record<string, (r: JuteReader) => unknown> = {
    stat: readStat,
    acl: readAcl,
    connectResponse: readConnectResponse,
    watcherEvent: readWatcherEvent,
    multi: (r) => readMultiResults(r, (p) => p),
    multiRead: readMultiReadResults,
    stringVector: (r) => r.stringVector(),
  };
  for (const [name, decode] of Object.entries(decoders)) {
    test(`${name}: ProtocolError or a value, never another exception`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
          const buf = Buffer.from(bytes);
          try {
            decode(new JuteReader().reset(buf, 0, buf.length));
          } catch (error) {
            expect(error).toBeInstanceOf(ProtocolError);
          }
        }),
        { numRuns: 2000 },
      );
    });
  }
});
