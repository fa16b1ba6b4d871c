/**
 * Item bytes in Curator's queue framing (CURATOR-COMPAT.md): int32 BE `0x00010001`, then per
 * item `0x01` + int32 BE length + payload, then `0x02`. We write one item per node; a node that
 * Curator's `putMulti` packed with several items, or bytes in another format, is reported as an
 * ItemFormatError and left in the queue (never claimed, so nothing is lost).
 */
import { InvalidArgumentError } from '../../session/errors.js';
import { DEFAULT_MAX_DATA_BYTES } from '../../session/validate.js';
import { ItemFormatError } from './errors.js';

const VERSION = 0x00010001;
const ITEM_OPCODE = 0x01;
const EOF_OPCODE = 0x02;
/** Version (4) + opcode (1) + length (4) + EOF (1). */
export const FRAMING_BYTES = 10;
/** The largest payload that fits the Session's default request limit with its framing. */
export const DEFAULT_MAX_ITEM_BYTES = DEFAULT_MAX_DATA_BYTES - FRAMING_BYTES;

/** Converts items to payload bytes and back. */
export interface Serializer<T> {
  serialize(value: T): Uint8Array;
  deserialize(bytes: Uint8Array): T;
}

/**
 * UTF-8 JSON that refuses what JSON would silently drop or change: functions, symbols and
 * `undefined` anywhere, BigInt and cycles (JSON.stringify throws on those).
 */
export const jsonSerializer: Serializer<unknown> = {
  serialize(value) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value, (key, v: unknown) => {
        if (typeof v === 'function' || typeof v === 'symbol' || v === undefined)
          throw new TypeError(`${key === '' ? 'the item' : `key "${key}"`} is ${typeof v}`);
        return v;
      });
    } catch (err) {
      throw new InvalidArgumentError('item', `not JSON-serializable: ${String(err)}`, {
        cause: err,
      });
    }
    return Buffer.from(text as string, 'utf8');
  },
  deserialize(bytes) {
    return JSON.parse(Buffer.from(bytes).toString('utf8'));
  },
};

export function encodeItem(payload: Uint8Array, maxItemBytes: number): Buffer {
  if (!(payload instanceof Uint8Array))
    throw new InvalidArgumentError('item', 'the serializer must return a Uint8Array');
  if (payload.byteLength > maxItemBytes)
    throw new InvalidArgumentError(
      'item',
      `${payload.byteLength} bytes is over the limit of ${maxItemBytes} bytes`,
    );
  const out = Buffer.alloc(FRAMING_BYTES + payload.byteLength);
  out.writeInt32BE(VERSION, 0);
  out.writeUInt8(ITEM_OPCODE, 4);
  out.writeInt32BE(payload.byteLength, 5);
  out.set(payload, 9);
  out.writeUInt8(EOF_OPCODE, 9 + payload.byteLength);
  return out;
}

/** The payload of a one-item node; throws ItemFormatError for anything else. */
export function decodeItem(bytes: Buffer, node: string): Buffer {
  const bad = (why: string) => new ItemFormatError(node, why);
  if (bytes.length < FRAMING_BYTES || bytes.readInt32BE(0) !== VERSION)
    throw bad('no Curator queue header');
  if (bytes.readUInt8(4) !== ITEM_OPCODE) throw bad('no item');
  const length = bytes.readInt32BE(5);
  if (length < 0 || 9 + length >= bytes.length) throw bad('truncated');
  if (bytes.readUInt8(9 + length) !== EOF_OPCODE) throw bad('several items in one node');
  return bytes.subarray(9, 9 + length);
}
