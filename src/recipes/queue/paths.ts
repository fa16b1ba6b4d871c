/**
 * The nodes of one queue at Q: items under Q (Curator's layout), item locks under `Q-locks`
 * (Curator's `lockPath` layout), put markers under `Q-puts` (put.ts) and the line of waiting
 * consumers under `Q-consumers` (waiting-line.ts). Siblings, not children, of Q: Curator treats
 * any other child of Q as a foreign node.
 */
import { InvalidArgumentError, ZkError } from '../../session/errors.js';
import { nameOf, validatePath } from '../../session/paths.js';
import type { Session } from '../../session/session.js';
import { ITEM_PREFIX } from './item-name.js';

export interface QueuePaths {
  readonly items: string;
  readonly locks: string;
  readonly puts: string;
  readonly consumers: string;
}

const SUFFIXES = ['-locks', '-puts', '-consumers'] as const;

/**
 * Checks `path` and derives the queue's nodes. A path that is itself one of a queue's own nodes
 * (`X-locks`, an item `queue-...`) would mix two queues' nodes: InvalidArgumentError.
 */
export function queuePaths(path: string): QueuePaths {
  validatePath(path);
  if (path === '/') throw new InvalidArgumentError('path', 'a queue needs its own node, not /');
  const name = nameOf(path);
  if (name.startsWith(ITEM_PREFIX) || SUFFIXES.some((s) => name.endsWith(s)))
    throw new InvalidArgumentError(
      'path',
      `${path} collides with the nodes of a queue (items are queue-*, siblings end in ${SUFFIXES.join(', ')})`,
    );
  return {
    items: path,
    locks: `${path}-locks`,
    puts: `${path}-puts`,
    consumers: `${path}-consumers`,
  };
}

/** Creates Q, Q-locks and Q-puts if missing: persistent leaves, container parents (as Curator). */
export async function ensureQueuePaths(session: Session, paths: QueuePaths): Promise<void> {
  await Promise.all(
    [paths.items, paths.locks, paths.puts].map((p) =>
      session.create(p, undefined, { createParents: true }).catch((err: unknown) => {
        if (!(err instanceof ZkError && err.code === 'NODEEXISTS')) throw err;
      }),
    ),
  );
}
