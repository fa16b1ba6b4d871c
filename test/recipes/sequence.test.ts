import { describe, expect, test } from 'vitest';
import {
  compareSequence,
  parseSequence,
  sortBySequence,
} from '../../src/recipes/internal/sequence.js';

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

  test('orders in issue order across the wrap (serial-number arithmetic)', () => {
    // Issued in this order: the counter went 2147483646, 2147483647, then wrapped.
    const issued = [
      'a-lock-2147483646',
      'b-lock-2147483647',
      'c-lock--2147483648',
      'd-lock--2147483647',
    ];
    expect(sortBySequence([...issued].reverse(), 'lock-').map((n) => n.name)).toEqual(issued);
    expect(
      sortBySequence(['x-lock-0000000002', 'junk', 'y-lock-0000000001'], 'lock-').map(
        (n) => n.name,
      ),
    ).toEqual(['y-lock-0000000001', 'x-lock-0000000002']);
  });

  test('compareSequence: before, after, equal, and round the circle', () => {
    expect(compareSequence(1, 2)).toBeLessThan(0);
    expect(compareSequence(2, 1)).toBeGreaterThan(0);
    expect(compareSequence(7, 7)).toBe(0);
    expect(compareSequence(2147483647, -2147483648)).toBeLessThan(0);
    expect(compareSequence(-1, 0)).toBeLessThan(0);
  });
});
