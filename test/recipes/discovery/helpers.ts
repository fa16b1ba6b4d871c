/** Shared set-up of the discovery tests: sessions and recipes closed after each test, reads. */
import { parseInstance } from '../../../src/recipes/discovery/instance-json.js';
import type { Session } from '../../../src/session/session.js';

export { connect, eventually, track } from '../cache/helpers.js';

/** The instance stored at `path` with its JSON text and stat, or undefined if there is no node. */
export async function stored(session: Session, path: string) {
  try {
    const { data, stat } = await session.getData(path);
    return { instance: parseInstance(path, data), json: data.toString('utf8'), stat };
  } catch (err) {
    if ((err as { code?: string }).code === 'NONODE') return undefined;
    throw err;
  }
}

/** Resolves once the async `predicate` holds, polling; rejects after `timeoutMs`. */
export async function until(
  predicate: () => Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
