/**
 * Async iteration over a state that changes (STYLE §12): a config value, a children map, a
 * member list. Each iterator yields the state once it is first known, then the newest state
 * each time it asks again after a change. A consumer slower than the changes skips the states
 * it was too slow to see (last value wins: for a config or a member list only the newest state
 * matters, as in kazoo's DataWatch), so a stalled consumer never makes a queue grow.
 *
 * `break` (the iterator's `return()`) removes the consumer's waiter; `end()` (the recipe
 * closed) finishes every iterator.
 */
export class LatestValue<T> {
  readonly #read: () => T;
  /** 0 until the state is first known; +1 for every change. */
  #version = 0;
  #ended = false;
  readonly #wakers = new Set<() => void>();

  /** `read` returns the state at the moment an iterator yields it. */
  constructor(read: () => T) {
    this.#read = read;
  }

  /** The state is known (first call) or changed: wake every waiting iterator. */
  changed(): void {
    this.#version += 1;
    this.#wake();
  }

  /** No more changes: every iterator finishes. Idempotent. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  iterate(): AsyncIterableIterator<T> {
    let seen = 0;
    let finished = false;
    let waker: (() => void) | undefined;
    const iterator: AsyncIterableIterator<T> = {
      next: async () => {
        while (!finished && !this.#ended && this.#version === seen) {
          await new Promise<void>((resolve) => {
            waker = resolve;
            this.#wakers.add(resolve);
          });
        }
        if (finished || this.#ended) return { done: true, value: undefined };
        seen = this.#version;
        return { done: false, value: this.#read() };
      },
      return: async () => {
        finished = true;
        if (waker !== undefined) {
          this.#wakers.delete(waker);
          waker(); // a `next()` still pending (manual use) settles as done
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  #wake(): void {
    const wakers = [...this.#wakers];
    this.#wakers.clear();
    for (const wake of wakers) wake();
  }
}
