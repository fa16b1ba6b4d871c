/**
 * Splits the byte stream from the server into length-prefixed frames (a 4-byte big-endian length,
 * then that many bytes). A length below the smallest reply or above `maxFrameBytes` is a
 * `ProtocolError`: the connection is corrupt or the server speaks something else, and waiting for
 * such a frame would buffer without bound. The decoder holds at most one partial frame.
 */
import { ProtocolError } from '../../errors.js';

/** jute.maxbuffer's default (0xfffff) plus slack for the reply header and record framing. */
export const DEFAULT_MAX_FRAME_BYTES = 0xfffff + 64 * 1024;

/** ReplyHeader {int xid; long zxid; int err} is the smallest frame after ConnectResponse. */
const MIN_FRAME_BYTES = 16;

export type FrameHandler = (buf: Buffer, start: number, end: number) => void;

export class FrameDecoder {
  readonly #maxFrameBytes: number;
  readonly #onFrame: FrameHandler;
  /** Bytes of an incomplete frame (or of its length prefix), oldest first. */
  #parts: Buffer[] = [];
  #buffered = 0;

  constructor(maxFrameBytes: number, onFrame: FrameHandler) {
    this.#maxFrameBytes = maxFrameBytes;
    this.#onFrame = onFrame;
  }

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** Feeds bytes; calls the handler for each complete frame. Throws ProtocolError on a bad length. */
  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.#buffered > 0) {
      this.#parts.push(chunk);
      this.#buffered += chunk.length;
      const need = this.#pendingFrameBytes();
      if (need < 0 || this.#buffered < need) return;
      buf = Buffer.concat(this.#parts, this.#buffered);
      this.#parts = [];
      this.#buffered = 0;
    }
    let pos = 0;
    while (buf.length - pos >= 4) {
      const len = this.#checkLength(buf.readInt32BE(pos));
      if (buf.length - pos - 4 < len) break;
      this.#onFrame(buf, pos + 4, pos + 4 + len);
      pos += 4 + len;
    }
    if (pos < buf.length) {
      const rest = buf.subarray(pos);
      this.#parts.push(rest);
      this.#buffered = rest.length;
    }
  }

  /** Size of the frame being buffered (prefix included), or -1 while its prefix is incomplete. */
  #pendingFrameBytes(): number {
    if (this.#buffered < 4) return -1;
    const first = this.#parts[0]!;
    const prefix = first.length >= 4 ? first : Buffer.concat(this.#parts, this.#buffered);
    return 4 + this.#checkLength(prefix.readInt32BE(0));
  }

  #checkLength(len: number): number {
    if (len < MIN_FRAME_BYTES || len > this.#maxFrameBytes) {
      throw new ProtocolError(`bad frame length ${len} (limit ${this.#maxFrameBytes})`);
    }
    return len;
  }
}
