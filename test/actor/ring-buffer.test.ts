import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../src/actor/ring-buffer.js';
import { InvalidArgumentError } from '../../src/session/errors.js';

describe('RingBuffer', () => {
  it('keeps items in order until full', () => {
    const buffer = new RingBuffer<number>(3);
    expect(buffer.toArray()).toEqual([]);
    buffer.push(1);
    buffer.push(2);
    expect(buffer.toArray()).toEqual([1, 2]);
  });

  it('overwrites the oldest item once full, and stays oldest first', () => {
    const buffer = new RingBuffer<number>(3);
    for (let i = 1; i <= 7; i++) buffer.push(i);
    expect(buffer.toArray()).toEqual([5, 6, 7]);
  });

  it('returns a copy', () => {
    const buffer = new RingBuffer<number>(2);
    buffer.push(1);
    buffer.toArray().push(99);
    expect(buffer.toArray()).toEqual([1]);
  });

  it.each([0, -1, 1.5, Number.NaN])('rejects capacity %s', (capacity) => {
    expect(() => new RingBuffer(capacity)).toThrow(InvalidArgumentError);
  });
});
