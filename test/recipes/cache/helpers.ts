/** Shared set-up of the cache recipe tests: sessions with short timeouts, closed after each test. */
import { afterEach } from 'vitest';
import { Session, type SessionOptions } from '../../../src/session/session.js';

export { eventually } from '../../support/transports.js';

/** Transport and watch mode of a cache under test: the native transport has no persistent watches. */
export interface CacheVariant {
  readonly name: string;
  readonly transport: 'wire' | 'native';
  readonly watchMode: 'auto' | 'oneTime';
}

export const VARIANTS: readonly CacheVariant[] = [
  { name: 'wire, persistent watches', transport: 'wire', watchMode: 'auto' },
  { name: 'wire, one-time watches', transport: 'wire', watchMode: 'oneTime' },
  { name: 'native, one-time fallback', transport: 'native', watchMode: 'auto' },
];

const opened: { close(): Promise<void> }[] = [];

/** Closes every session and recipe `track`ed by the test, newest first. */
afterEach(async () => {
  while (opened.length > 0)
    await opened
      .pop()
      ?.close()
      .catch(() => undefined);
});

/** Registers something to close after the test; returns it. */
export function track<T extends { close(): Promise<void> }>(closeable: T): T {
  opened.push(closeable);
  return closeable;
}

/** A session (3 s timeout) closed after the test. */
export async function connect(
  connectString: string,
  options: Partial<SessionOptions> = {},
): Promise<Session> {
  return track(await Session.connect({ connectString, sessionTimeoutMs: 3_000, ...options }));
}
