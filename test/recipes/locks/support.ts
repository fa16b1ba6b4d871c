/**
 * Helpers of the lock tests: sessions over a probed wire transport (every call and every watch
 * trigger recorded, any call interceptable), a wait-until helper, and a lock-path listing.
 */
import { afterAll, beforeAll } from 'vitest';
import { ZkError } from '../../../src/session/errors.js';
import { Session, type SessionOptions } from '../../../src/session/session.js';
import { resolveTransport } from '../../../src/session/transport/index.js';
import type { Transport, WatchEvent } from '../../../src/session/transport/types.js';
import type { ZooKeeperCluster } from '../../../src/testing/index.js';
import { forwardTo, useZooKeeper } from '../../support/zookeeper.js';

export interface Probe {
  /** Op names called on this session's transports, in order. */
  readonly calls: string[];
  /** Watch triggers this session's transports delivered. */
  readonly triggers: WatchEvent[];
  /** The transports made for this session, newest last. */
  readonly transports: Transport[];
  /**
   * Replaces a call when it returns a promise (the real transport is passed for pass-through);
   * returning undefined lets the call through unchanged.
   */
  intercept?: (op: string, args: unknown[], real: Transport) => Promise<unknown> | undefined;
}

export async function probedSession(
  connectString: string,
  options: Partial<SessionOptions> = {},
): Promise<{ session: Session; probe: Probe }> {
  const real = await resolveTransport('wire');
  const probe: Probe = { calls: [], triggers: [], transports: [] };
  const session = await Session.connect({
    connectString,
    sessionTimeoutMs: 4_000,
    ...options,
    transport: (transportOptions) => {
      const transport = real(transportOptions);
      probe.transports.push(transport);
      return new Proxy(transport, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          if (prop === 'onState' || prop === 'close') return value.bind(target);
          return (...args: unknown[]) => {
            probe.calls.push(String(prop));
            const watched = args.map((a) =>
              typeof a === 'function'
                ? (event: WatchEvent) => {
                    probe.triggers.push(event);
                    return (a as (e: WatchEvent) => void)(event);
                  }
                : a,
            );
            return (
              probe.intercept?.(String(prop), watched, target) ??
              (value as (...a: unknown[]) => Promise<unknown>).apply(target, watched)
            );
          };
        },
      });
    },
  });
  return { session, probe };
}

/** The children of `path`, or [] when it does not exist. */
export async function childrenOf(session: Session, path: string): Promise<string[]> {
  try {
    return (await session.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return [];
    throw err;
  }
}

export { eventually, sleep } from '../../support/wait.js';

/**
 * The fixture of a lock test file: one server, an `admin` session (probed) for looking at the
 * znodes, and `opened`, the sessions a test made, all closed after the file's tests.
 */
export function useLockServer(): { zk: ZooKeeperCluster; admin: Session; opened: Session[] } {
  const zk = useZooKeeper();
  let admin: Session | undefined;
  const opened: Session[] = [];
  beforeAll(async () => {
    admin = (await probedSession(zk.connectString)).session;
  });
  // Registered after the server's hooks, so it runs before the server stops.
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await admin?.close();
  });
  return { zk, admin: forwardTo(() => admin, 'the admin session'), opened };
}
