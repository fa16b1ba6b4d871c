/**
 * The ZooKeeper calls an actor has started: each result (or failure) comes back as a message
 * through `deliver`, never into the actor's state directly (STYLE §4, §5). The actor stamps the
 * message so that a result of a state it has left is dropped, and `settled()` lets `close()`
 * wait for calls still in flight (a node created after close must still be deleted).
 */
export class Effects<M> {
  readonly #deliver: (message: M) => void;
  readonly #pending = new Set<Promise<void>>();

  constructor(deliver: (message: M) => void) {
    this.#deliver = deliver;
  }

  /** Delivers what `work` resolves, or `failed(error)` if it rejects. */
  run(work: Promise<M>, failed: (error: unknown) => M): void {
    const done = work
      .catch(failed)
      .then((message) => this.#deliver(message))
      .finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }

  /** Resolves once no call is in flight (including calls started meanwhile). */
  async settled(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all(this.#pending);
  }
}
