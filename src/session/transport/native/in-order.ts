/**
 * Settles operation promises in the order the operations were issued.
 *
 * The C client completes requests in order, but the transport also refuses some calls at once
 * (not connected, a synchronous C error) while earlier requests are still in flight. The
 * Transport contract wants results in issue order, so every outcome waits here until all
 * earlier operations have settled.
 */
interface Entry {
  /** The path of the operation, for the errors of `rejectAll`. */
  path: string | undefined;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** The settle functions of one operation; settling twice is a no-op. */
export interface PendingOp<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class InOrderSettler {
  /** Issued operations not yet delivered, oldest first; only the head may be delivered. */
  #queue: Entry[] = [];

  add<T>(path: string | undefined): PendingOp<T> {
    let entry!: Entry;
    const promise = new Promise<T>((resolve, reject) => {
      entry = { path, resolve: resolve as (value: unknown) => void, reject };
    });
    this.#queue.push(entry);
    return {
      promise,
      resolve: (value) => this.#settle(entry, { ok: true, value }),
      reject: (error) => this.#settle(entry, { ok: false, error }),
    };
  }

  /** Rejects every operation not settled yet (the handle died under them). */
  rejectAll(errorFor: (path: string | undefined) => unknown): void {
    for (const entry of this.#queue) {
      entry.outcome ??= { ok: false, error: errorFor(entry.path) };
    }
    this.#deliver();
  }

  #settle(entry: Entry, outcome: NonNullable<Entry['outcome']>): void {
    if (entry.outcome !== undefined) return;
    entry.outcome = outcome;
    this.#deliver();
  }

  #deliver(): void {
    while (this.#queue[0]?.outcome !== undefined) {
      const entry = this.#queue.shift()!;
      const outcome = entry.outcome!;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
    }
  }
}
