/**
 * A fixed-size buffer that keeps the last `capacity` items, oldest first.
 *
 * Used for the transition history of actors: a debugging aid that must cost O(1) per
 * transition and never grow with the lifetime of a long-running recipe.
 */
import { InvalidArgumentError } from '../session/errors.js';

export class RingBuffer<T> {
  readonly #items: T[] = [];
  readonly #capacity: number;
  /** Index in `#items` of the oldest item once the buffer is full (and the next to overwrite). */
  #start = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidArgumentError('capacity', `expected an integer >= 1, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** Appends an item, overwriting the oldest one when full. */
  push(item: T): void {
    if (this.#items.length < this.#capacity) {
      this.#items.push(item);
      return;
    }
    this.#items[this.#start] = item;
    this.#start = (this.#start + 1) % this.#capacity;
  }

  /** A copy of the items, oldest first. */
  toArray(): T[] {
    return [...this.#items.slice(this.#start), ...this.#items.slice(0, this.#start)];
  }
}
