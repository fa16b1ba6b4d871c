/**
 * Mutex on a 3-server ensemble: the server the holder is connected to stops. The holder is told
 * at once (suspended: its lock is uncertain, HARD-CASES 3), and nobody else holds until the
 * holder's session has expired on the ensemble: at most one holder that has not been told.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { LockLostError } from '../../../src/recipes/lock-errors.js';
import type { LockHandle } from '../../../src/recipes/lock-handle.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import type { Session } from '../../../src/session/session.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../../src/testing/index.js';
import { probedSession } from './support.js';

let zk: ZooKeeperCluster;
const opened: Session[] = [];

beforeAll(async () => {
  zk = await startZooKeeper({ servers: 3 });
});
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  await zk?.stop();
});

test("the holder's server stops: its signal aborts on suspended; at most one holder at any time", async () => {
  const leader = await zk.leaderIndex();
  const victim = zk.servers.findIndex((s) => s.index !== leader);
  const others = zk.servers.filter((s) => s.index !== victim).map((s) => s.connectString);
  const connect = async (connectString: string) => {
    const { session } = await probedSession(connectString, { sessionTimeoutMs: 3_000 });
    opened.push(session);
    return session;
  };
  // The holder can reach only the server that will stop; the others only the other two.
  const holderSession = await connect(zk.servers[victim]!.connectString);
  const contenders = [holderSession, await connect(others[0]!), await connect(others[1]!)];
  const mutexes = contenders.map((s) => new Mutex(s, '/locks/ensemble'));

  let live = 0;
  let maxLive = 0;
  const log: string[] = [];
  const hold = (name: string, lock: LockHandle) => {
    live += 1;
    maxLive = Math.max(maxLive, live);
    log.push(`${name} acquired`);
    lock.signal.addEventListener('abort', () => {
      live -= 1;
      log.push(`${name} aborted: ${(lock.signal.reason as LockLostError).reason}`);
    });
    return lock;
  };
  const holder = hold('holder', await mutexes[0]!.acquire());
  const waiting = mutexes.slice(1).map((m, i) =>
    m.acquire().then(async (lock) => {
      hold(`waiter${i}`, lock);
      await new Promise((r) => setTimeout(r, 50));
      live -= 1;
      await lock.release();
    }),
  );
  await zk.stopServer(victim);
  await Promise.all(waiting);
  expect(maxLive).toBe(1);
  expect(log[0]).toBe('holder acquired');
  expect(log[1]).toBe('holder aborted: suspended');
  expect(holder.signal.reason).toBeInstanceOf(LockLostError);
  await holder.release(); // uncertain, then lost: releasing is harmless
});
