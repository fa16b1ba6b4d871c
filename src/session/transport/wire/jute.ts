/**
 * Jute, ZooKeeper's serialization format (zookeeper-jute BinaryInputArchive/BinaryOutputArchive):
 * big-endian int (4 bytes), long (8), boolean (1 byte), buffer and ustring as an int length then
 * the bytes (length -1 means null), vector as an int count then the elements.
 *
 * `JuteReader` reads one frame by offset, with no copies of the frame; every bounds failure is a
 * `ProtocolError`, so random bytes can never raise anything else. `JuteWriter` encodes frames
 * straight into a large slab and hands out views of it, so a batch of requests becomes one socket
 * write with no per-request buffer.
 */
import { InvariantError, ProtocolError } from '../../errors.js';

const EMPTY = Buffer.alloc(0);
const TWO_POW_32 = 4294967296;

export class JuteReader {
  buf: Buffer = EMPTY;
  pos = 0;
  end = 0;

  /** Points the reader at `buf[start, end)`; the reader is reused frame after frame. */
  reset(buf: Buffer, start: number, end: number): this {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  #need(n: number): void {
    if (this.pos + n > this.end) {
      throw new ProtocolError(`truncated record: need ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  int(): number {
    this.#need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 4;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }

  long(): bigint {
    this.#need(8);
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return v;
  }

  /** A long that fits a double exactly (timestamps in ms). */
  longNumber(): number {
    const hi = this.int();
    const lo = this.int();
    return hi * TWO_POW_32 + (lo >>> 0);
  }

  bool(): boolean {
    this.#need(1);
    return this.buf[this.pos++] !== 0;
  }

  /** A jute buffer, copied out of the frame so that the caller does not pin the socket chunk. */
  buffer(): Buffer {
    const len = this.int();
    if (len <= 0) return Buffer.alloc(0);
    this.#need(len);
    const out = Buffer.allocUnsafe(len);
    this.buf.copy(out, 0, this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** A ustring; null (length -1) reads as ''. */
  string(): string {
    const len = this.int();
    if (len <= 0) return '';
    this.#need(len);
    const s = this.buf.toString('utf8', this.pos, this.pos + len);
    this.pos += len;
    return s;
  }

  /**
   * The element count of a vector; null (-1) reads as 0. A count that cannot fit in the bytes left
   * (each element takes at least `minElementBytes`) is corrupt: reject it before allocating.
   */
  vectorLength(minElementBytes: number): number {
    const n = this.int();
    if (n <= 0) return 0;
    if (n * minElementBytes > this.end - this.pos) {
      throw new ProtocolError(
        `vector of ${n} elements does not fit in ${this.end - this.pos} bytes`,
      );
    }
    return n;
  }

  stringVector(): string[] {
    const n = this.vectorLength(4);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.string();
    return out;
  }
}

/** Largest slab: large enough that a pipelined batch of small requests shares one allocation. */
const SLAB_BYTES = 64 * 1024;
/**
 * First slab of a writer; every refill doubles the slab up to SLAB_BYTES. An idle or quiet
 * connection (a process with a thousand sessions) then keeps 1 KB, not 64 KB, and a busy one
 * reaches the full size after a few refills.
 */
const FIRST_SLAB_BYTES = 1024;

/**
 * Encodes length-prefixed frames into a slab. `begin(bound)` reserves room for a frame of at most
 * `bound` bytes (callers over-estimate: 3 UTF-8 bytes per UTF-16 unit of a string), `end()` patches
 * the length prefix, and `take()` returns the encoded bytes since the last take. Bytes handed out
 * by `take()` are never written again: the next frames go after them or into a new slab.
 */
export class JuteWriter {
  #slabBytes = FIRST_SLAB_BYTES;
  #slab: Buffer = Buffer.allocUnsafe(FIRST_SLAB_BYTES);
  #pos = 0;
  /** Start of the bytes not yet handed out by take(). */
  #taken = 0;
  #frameStart = 0;
  /** Whole earlier slabs with bytes not yet handed out (a batch that outgrew its slab). */
  #sealed: Buffer[] = [];

  begin(bound: number): void {
    const need = bound + 4;
    if (this.#pos + need > this.#slab.length) {
      if (this.#pos > this.#taken) this.#sealed.push(this.#slab.subarray(this.#taken, this.#pos));
      this.#slabBytes = Math.min(SLAB_BYTES, this.#slabBytes * 2);
      this.#slab = Buffer.allocUnsafe(Math.max(this.#slabBytes, need));
      this.#pos = 0;
      this.#taken = 0;
    }
    this.#frameStart = this.#pos;
    this.#pos += 4;
  }

  /** Drops the frame begun by begin() (its encoding failed). */
  abort(): void {
    this.#pos = this.#frameStart;
  }

  end(): void {
    if (this.#pos > this.#slab.length) {
      throw new InvariantError(`frame outgrew its bound (${this.#pos - this.#frameStart} bytes)`);
    }
    this.#slab.writeInt32BE(this.#pos - this.#frameStart - 4, this.#frameStart);
  }

  /** The encoded frames since the last take, as one or (rarely) several buffers. */
  take(): Buffer[] {
    const out = this.#sealed;
    this.#sealed = [];
    if (this.#pos > this.#taken) out.push(this.#slab.subarray(this.#taken, this.#pos));
    this.#taken = this.#pos;
    return out;
  }

  int(v: number): void {
    const b = this.#slab;
    const p = this.#pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.#pos = p + 4;
  }

  long(v: bigint): void {
    this.#slab.writeBigInt64BE(v, this.#pos);
    this.#pos += 8;
  }

  /** A long from a safe integer (timeouts, TTLs). */
  longNumber(v: number): void {
    this.int(Math.floor(v / TWO_POW_32));
    this.int(v >>> 0);
  }

  bool(v: boolean): void {
    this.#slab[this.#pos++] = v ? 1 : 0;
  }

  buffer(v: Uint8Array): void {
    this.int(v.length);
    this.#slab.set(v, this.#pos);
    this.#pos += v.length;
  }

  string(v: string): void {
    const n = this.#slab.write(v, this.#pos + 4, 'utf8');
    this.int(n);
    this.#pos += n;
  }

  stringVector(v: readonly string[]): void {
    this.int(v.length);
    for (const s of v) this.string(s);
  }
}

/** Upper bound of the encoded size of a ustring. */
export function stringBound(s: string): number {
  return 4 + 3 * s.length;
}
