/** Item names and framing in Curator's layout: pure functions, no server. */
import { describe, expect, test } from 'vitest';
import { ItemFormatError } from '../../../src/recipes/queue/errors.js';
import { decodeItem, encodeItem, jsonSerializer } from '../../../src/recipes/queue/framing.js';
import {
  checkPriority,
  itemPrefix,
  parseItemName,
  sortItems,
} from '../../../src/recipes/queue/item-name.js';
import { InvalidArgumentError } from '../../../src/session/errors.js';

describe('item names', () => {
  test("Curator's prefixes (anchors layout dump)", () => {
    expect(itemPrefix(5)).toBe('queue-100000005');
    expect(itemPrefix(1000)).toBe('queue-1000003E8');
    expect(itemPrefix(-1)).toBe('queue-0FFFFFFFF');
    expect(itemPrefix(-1000)).toBe('queue-0FFFFFC18');
    expect(itemPrefix(2 ** 31 - 1)).toBe('queue-17FFFFFFF');
    expect(itemPrefix(-(2 ** 31))).toBe('queue-080000000');
  });

  test('parse: priority and signed sequence; anything else is foreign', () => {
    expect(parseItemName('queue-0FFFFFC180000000008')).toEqual({
      name: 'queue-0FFFFFC180000000008',
      priority: -1000,
      sequence: 8,
    });
    expect(parseItemName('queue-100000005-000000001')?.sequence).toBe(-1);
    for (const foreign of [
      'queue-0000000001', // a DistributedQueue item
      'queue-1FFFFFFFF0000000001', // sign says >= 0, value is -1
      'queue-10000000500000000001',
      'lock-0000000001',
      '_c_0f0e-queue-1000000050000000001',
    ])
      expect(parseItemName(foreign)).toBeUndefined();
  });

  test('order: priority first, then sequence as a signed number (HARD-CASES 15)', () => {
    const names = [
      'queue-1000000010000000002',
      'queue-100000001-000000001', // after the counter wrapped: later than 2147483647
      'queue-1000000012147483647',
      'queue-0FFFFFFFF0000000009',
      'queue-1000000000000000005',
    ];
    expect(sortItems(names).map((i) => i.name)).toEqual([
      'queue-0FFFFFFFF0000000009',
      'queue-1000000000000000005',
      'queue-100000001-000000001',
      'queue-1000000010000000002',
      'queue-1000000012147483647',
    ]);
  });

  test('priorities: int32 integers only', () => {
    for (const ok of [0, -1, 2 ** 31 - 1, -(2 ** 31)]) expect(checkPriority(ok)).toBe(ok);
    for (const bad of [0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31, '3', null])
      expect(() => checkPriority(bad)).toThrow(InvalidArgumentError);
  });
});

describe('framing', () => {
  test("round trip in Curator's bytes", () => {
    const framed = encodeItem(Buffer.from('a'), 100);
    expect(framed.toString('hex')).toBe('0001000101000000016102');
    expect(decodeItem(framed, 'n').toString()).toBe('a');
    expect(() => encodeItem(Buffer.alloc(101), 100)).toThrow(InvalidArgumentError);
  });

  test('several items in one node (Curator putMulti) or foreign bytes: ItemFormatError', () => {
    const two = Buffer.from('00010001' + '0100000001' + '61' + '0100000001' + '62' + '02', 'hex');
    expect(() => decodeItem(two, 'n')).toThrow(ItemFormatError);
    expect(() => decodeItem(Buffer.from('plain'), 'n')).toThrow(ItemFormatError);
  });

  test('JSON refuses what it would drop or change', () => {
    expect(jsonSerializer.deserialize(jsonSerializer.serialize({ a: [1, null] }))).toEqual({
      a: [1, null],
    });
    for (const bad of [undefined, () => 1, Symbol('s'), 1n, { a: undefined }, [() => 1]])
      expect(() => jsonSerializer.serialize(bad)).toThrow(InvalidArgumentError);
  });
});
