/**
 * The `elected` events of every participant, with their timestamps, and a way to wait for the
 * first one that matches (the Python harness's events queue).
 */
export interface Elected {
  readonly pid: number;
  readonly t: bigint;
}

export class ElectedLog {
  #events: Elected[] = [];
  #wakers = new Set<() => void>();

  add(pid: number, t: bigint): void {
    this.#events.push({ pid, t });
    for (const wake of this.#wakers) wake();
  }

  clear(): void {
    this.#events = [];
  }

  /** Resolves the time of the first event matching `accept`, or undefined after `timeoutMs`. */
  next(accept: (e: Elected) => boolean, timeoutMs: number): Promise<bigint | undefined> {
    const found = this.#events.find(accept);
    if (found !== undefined) return Promise.resolve(found.t);
    return new Promise((resolve) => {
      const finish = (t: bigint | undefined) => {
        clearTimeout(timer);
        this.#wakers.delete(wake);
        resolve(t);
      };
      const wake = () => {
        const e = this.#events.find(accept);
        if (e !== undefined) finish(e.t);
      };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.#wakers.add(wake);
    });
  }
}
