/**
 * Claiming one item: the ZooKeeper side of `take` (at-most-once) and `consume` (at-least-once).
 * The item's bytes are read first (prefetched by the dispatcher: items are written once and
 * never change), then one `multi` claims it:
 *
 * - take: create its lock, delete the item, delete the lock. Whoever's transaction succeeds
 *   owns the item; the lock create makes it fail (NODEEXISTS) while a `consume`r works on the
 *   item, so the two modes can share a queue (HARD-CASES 14).
 * - lock: create the EPHEMERAL lock `Q-locks/<item>` and check that the item still exists. The
 *   item stays in the queue until `ack`.
 *
 * `locked` (a consumer holds it) and `gone` (someone took or acked it) leave the item where it
 * was. `uncertain`: a take whose reply was lost, and the item is gone: by us or by another.
 */
import { isRetryable, ZkError } from '../../session/errors.js';
import { MultiError } from '../../session/multi.js';
import { joinPath } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import type { ItemName } from './item-name.js';
import { ensureQueuePaths, type QueuePaths } from './paths.js';

export type ClaimMode = 'take' | 'lock';

export type Claim =
  | { readonly kind: 'claimed'; readonly lock: string }
  | { readonly kind: 'locked' | 'gone' | 'uncertain' };

/** The item's bytes, or undefined if it is gone. */
export async function readItem(session: Session, node: string): Promise<Buffer | undefined> {
  try {
    return (await session.getData(node)).data;
  } catch (err) {
    if (isNoNode(err)) return undefined;
    throw err;
  }
}

export async function claim(
  session: Session,
  paths: QueuePaths,
  item: ItemName,
  mode: ClaimMode,
): Promise<Claim> {
  const node = joinPath(paths.items, item.name);
  const lock = joinPath(paths.locks, item.name);
  try {
    await claimOnce(session, node, lock, mode);
    return { kind: 'claimed', lock };
  } catch (err) {
    if (err instanceof MultiError && err.index === 0 && err.code === 'NONODE') {
      // No Q-locks yet: a queue that a Curator producer made. Not applied; create it, try again.
      await ensureQueuePaths(session, paths);
      return claim(session, paths, item, mode);
    }
    if (err instanceof MultiError) {
      if (err.index === 0 && err.code === 'NODEEXISTS') return { kind: 'locked' };
      if (err.index === 1 && err.code === 'NONODE') return { kind: 'gone' };
      throw err;
    }
    if (!isRetryable(err)) throw err;
    return afterLostReply(session, node, lock, mode);
  }
}

async function claimOnce(session: Session, node: string, lock: string, mode: ClaimMode) {
  await session.multi(
    mode === 'take'
      ? [
          { op: 'create', path: lock, mode: 'ephemeral' },
          { op: 'delete', path: node },
          { op: 'delete', path: lock },
        ]
      : [
          { op: 'create', path: lock, mode: 'ephemeral' },
          { op: 'check', path: node },
        ],
  );
}

/**
 * The reply to the claim was lost; find out what happened once connected again. take: if the
 * item is still there our transaction was not applied (`gone` for now: the next listing brings
 * it back); if not, nobody can tell who took it. lock: if the lock is this session's, the claim
 * was applied, but we no longer know it is current: delete the lock (it would block the item
 * until the session ends) and let the next listing bring the item back.
 */
async function afterLostReply(
  session: Session,
  node: string,
  lock: string,
  mode: ClaimMode,
): Promise<Claim> {
  // If the session is lost meanwhile, the reads below go to the next session and still answer.
  await session
    .waitUntilConnected({ timeoutMs: session.negotiatedTimeoutMs })
    .catch(() => undefined);
  if (mode === 'take')
    return (await session.exists(node)) === null ? { kind: 'uncertain' } : { kind: 'gone' };
  const stat = await session.exists(lock);
  if (stat !== null && stat.ephemeralOwner === session.sessionId)
    await session.delete(lock).catch((err: unknown) => {
      if (!isNoNode(err)) throw err;
    });
  return { kind: 'gone' };
}

export function isNoNode(err: unknown): boolean {
  return err instanceof ZkError && err.code === 'NONODE';
}
