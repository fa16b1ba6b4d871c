/**
 * Putting items so that a lost reply does not duplicate them (HARD-CASES 1 for persistent
 * sequential nodes).
 *
 * A blind retry of a sequential create duplicates the item when the first create reached the
 * server; a protected name (`_c_<uuid>-`) does not help either, because a consumer may have taken
 * the item before we list to look for it. So every put is one `multi`: the item, plus an
 * EPHEMERAL marker `Q-puts/<uuid>` that nobody else touches. After a connection loss the marker
 * says whether the transaction was applied, consumed or not. Markers are deleted by the next
 * put's `multi` (no extra transaction) or with the session, so at most a few exist per producer.
 * The item name keeps Curator's layout, so Java consumers read our items.
 *
 * If the session is lost while a put is in flight the marker is gone with it and the outcome is
 * unknowable: the put rejects with PutOutcomeUnknownError.
 */
import { randomUUID } from 'node:crypto';
import { isRetryable, SessionExpiredError, ZkError } from '../../session/errors.js';
import { MultiError, type SessionMultiOp } from '../../session/multi.js';
import { joinPath, nameOf } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import { PutOutcomeUnknownError } from './errors.js';
import { itemPrefix } from './item-name.js';
import { ensureQueuePaths, type QueuePaths } from './paths.js';

/** Stale markers deleted by one put, at most. */
const MARKERS_PER_PUT = 16;
const MAX_ATTEMPTS = 5;

export class Producer {
  readonly #session: Session;
  readonly #paths: QueuePaths;
  /** Markers of finished puts, to delete with the next put; only valid in `#generation`. */
  #markers: string[] = [];
  #generation = -1;

  constructor(session: Session, paths: QueuePaths) {
    this.#session = session;
    this.#paths = paths;
  }

  /** Stores `bytes` (already framed) at `priority`; resolves with the item's node name. */
  async put(bytes: Uint8Array, priority: number): Promise<string> {
    const prefix = itemPrefix(priority);
    let lastError: unknown;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const generation = this.#session.generation;
      if (generation !== this.#generation) {
        this.#markers = []; // the old session's markers went with it
        this.#generation = generation;
      }
      const marker = joinPath(this.#paths.puts, randomUUID());
      const stale = this.#markers.splice(0, MARKERS_PER_PUT);
      const ops: SessionMultiOp[] = [
        {
          op: 'create',
          path: joinPath(this.#paths.items, prefix),
          data: bytes,
          mode: 'persistentSequential',
        },
        { op: 'create', path: marker, mode: 'ephemeral' },
        ...stale.map((path): SessionMultiOp => ({ op: 'delete', path })),
      ];
      try {
        const results = await this.#session.multi(ops);
        this.#keep(marker, generation);
        const created = results[0];
        return nameOf(created?.op === 'create' ? created.path : prefix);
      } catch (err) {
        lastError = err;
        if (err instanceof MultiError) {
          // Not applied (atomic). A stale marker already gone is simply dropped; a missing
          // parent (a container the server removed, or first use) is created again.
          if (err.index >= 2) this.#markers.push(...stale.filter((_, i) => i !== err.index - 2));
          else if (err.code === 'NONODE') await ensureQueuePaths(this.#session, this.#paths);
          else throw err;
          continue;
        }
        if (!isRetryable(err) && !(err instanceof SessionExpiredError)) throw err;
        const applied = await this.#wasApplied(marker, prefix, generation, err);
        if (applied === undefined) {
          this.#markers.push(...stale); // not applied: they are still there
          continue;
        }
        this.#keep(marker, generation);
        return applied;
      }
    }
    throw lastError;
  }

  #keep(marker: string, generation: number): void {
    if (generation === this.#session.generation) this.#markers.push(marker);
  }

  /**
   * After a lost reply: the item's name if the put was applied, undefined if it was not. The
   * name is found by the czxid the item shares with the marker (one transaction, one zxid); if
   * a consumer already took the item, the name without its sequence is all we can say.
   */
  async #wasApplied(
    marker: string,
    prefix: string,
    generation: number,
    cause: unknown,
  ): Promise<string | undefined> {
    // Suspended longer than the session can live means lost: a new generation, or no answer.
    await this.#session
      .waitUntilConnected({ timeoutMs: 2 * this.#session.negotiatedTimeoutMs })
      .catch(() => undefined);
    if (this.#session.generation !== generation || !this.#session.isConnected)
      throw new PutOutcomeUnknownError('the session was lost while the put was in flight', {
        cause,
      });
    const stat = await this.#session.exists(marker);
    if (stat === null) return undefined;
    const { children } = await this.#session.getChildren(this.#paths.items);
    const candidates = children.filter((c) => c.startsWith(prefix));
    const stats = await Promise.all(
      candidates.map((c) =>
        this.#session.exists(joinPath(this.#paths.items, c)).catch((e: unknown) => {
          if (e instanceof ZkError && e.code === 'NONODE') return null;
          throw e;
        }),
      ),
    );
    const at = stats.findIndex((s) => s?.czxid === stat.czxid);
    return at >= 0 ? (candidates[at] as string) : prefix;
  }
}
