import { describe, expect, test } from 'vitest';
import { parseSequence, sortBySequence } from '../../src/recipes/internal/sequence.js';

describe('sequence numbers', () => {
  test('parses the signed 10-digit suffix after the last marker', () => {
    expect(parseSequence('_c_0f8fad5b-d9cb-469f-a165-70867728950e-lock-0000000042', 'lock-')).toBe(
      42,
    );
    expect(parseSequence('lock-lock-0000000007', 'lock-')).toBe(7);
    expect(parseSequence('lock--2147483648', 'lock-')).toBe(-2147483648);
    expect(parseSequence('lock-2147483647', 'lock-')).toBe(2147483647);
    expect(parseSequence('lock--000000001', 'lock-')).toBe(-1);
  });

  test('rejects names without the marker or with a malformed suffix', () => {
    expect(parseSequence('latch-0000000001', 'lock-')).toBeUndefined();
    expect(parseSequence('lock-42', 'lock-')).toBeUndefined();
    expect(parseSequence('lock-00000000x1', 'lock-')).toBeUndefined();
    expect(parseSequence('lock-9999999999', 'lock-')).toBeUndefined();
  });

  test('orders as signed integers, so a wrapped counter sorts before the positives', () => {
    const sorted = sortBySequence(
      ['a-lock-2147483647', 'b-lock--2147483647', 'c-lock-0000000000', 'junk', 'd-lock--000000001'],
      'lock-',
    );
    expect(sorted.map((n) => n.name)).toEqual([
      'b-lock--2147483647',
      'd-lock--000000001',
      'c-lock-0000000000',
      'a-lock-2147483647',
    ]);
  });
});
