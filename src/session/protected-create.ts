/**
 * Protected create (HARD-CASES 1; Curator's `withProtection()`, kazoo's `_find_node`).
 *
 * A create can succeed on the server while its reply is lost with the connection. For a
 * sequential node the name is then unknown, and a blind retry leaves an orphan that can hold a
 * lock forever. So the node is named `_c_<uuid>-<name>` (Curator's layout: 40 characters of
 * prefix), and after a connection loss we list the parent and adopt the child with our prefix.
 * If the session changed meanwhile, a found node belongs to the old session: an ephemeral one is
 * going away with it and a persistent one was never reported to the caller, so we delete it and
 * create anew.
 */
import { randomUUID } from 'node:crypto';
import { ConnectionLossError, isRetryable, ZkError } from './errors.js';
import { joinPath } from './paths.js';
import { backoffDelay, type RetryPolicy } from './retry.js';
import type { CreateCallOptions, Session } from './session.js';
import type { CreateResult } from './transport/types.js';

export const PROTECTED_PREFIX = '_c_';

/** `_c_<uuid>-`: the prefix of a protected node name. */
export function protectedPrefix(uuid: string = randomUUID()): string {
  return `${PROTECTED_PREFIX}${uuid}-`;
}

/** True for names made by a protected create (ours or Curator's). */
export function isProtectedName(name: string): boolean {
  return name.startsWith(PROTECTED_PREFIX) && name.length > 40 && name[39] === '-';
}

/** The name without its protection prefix (`_c_<uuid>-lock-0000000001` -> `lock-0000000001`). */
export function unprotectedName(name: string): string {
  return isProtectedName(name) ? name.slice(40) : name;
}

export async function protectedCreate(
  session: Session,
  parent: string,
  name: string,
  data: Uint8Array | string | undefined,
  options: CreateCallOptions,
  retry: RetryPolicy,
): Promise<CreateResult> {
  const prefix = protectedPrefix();
  const path = joinPath(parent, prefix + name);
  let lastError: unknown;
  for (let attempt = 0; attempt <= retry.maxRetries; attempt++) {
    const generation = session.generation;
    try {
      return await session.create(path, data, options);
    } catch (err) {
      if (!isRetryable(err)) throw err;
      lastError = err;
    }
    await session
      .waitUntilConnected({ timeoutMs: backoffDelay(retry, attempt) + session.negotiatedTimeoutMs })
      .catch(() => undefined);
    const found = await findOwnNode(session, parent, prefix);
    if (found === undefined) continue;
    if (generation === session.generation) return found;
    await session.delete(found.path).catch((e: unknown) => {
      if (!(e instanceof ZkError && e.code === 'NONODE')) throw e;
    });
  }
  throw lastError instanceof Error ? lastError : new ConnectionLossError(path);
}

async function findOwnNode(
  session: Session,
  parent: string,
  prefix: string,
): Promise<CreateResult | undefined> {
  let children: string[];
  try {
    ({ children } = await session.getChildren(parent));
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return undefined;
    throw err;
  }
  const name = children.find((c) => c.startsWith(prefix));
  if (name === undefined) return undefined;
  const path = joinPath(parent, name);
  const stat = await session.exists(path);
  return stat === null ? undefined : { path, stat };
}
