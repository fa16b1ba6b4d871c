/**
 * Semaphore against a real standalone ZooKeeper: never more than N leases with 8 contenders,
 * lease handles with the lock semantics, and the holder told when its session expires.
 */
import { describe, expect, test } from 'vitest';
import { LockLostError } from '../../../src/recipes/lock-errors.js';
import { Semaphore } from '../../../src/recipes/semaphore.js';
import { InvalidArgumentError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { childrenOf, eventually, probedSession, useLockServer } from './support.js';

const { zk, admin, opened } = useLockServer();

async function semaphore(path: string, max: number) {
  const { session } = await probedSession(zk.connectString);
  opened.push(session);
  return { session, semaphore: new Semaphore(session, path, max) };
}

describe('Semaphore (standalone server)', () => {
  test('8 contenders, N=3: never more than 3 leases at once; every contender served; nothing left', async () => {
    const path = '/sem/stress';
    const all = await Promise.all(Array.from({ length: 8 }, () => semaphore(path, 3)));
    let held = 0;
    let maxHeld = 0;
    const served = new Array<number>(8).fill(0);
    await Promise.all(
      all.map(async ({ semaphore: sem }, i) => {
        for (let n = 0; n < 10; n++) {
          const lease = await sem.acquire();
          held += 1;
          maxHeld = Math.max(maxHeld, held);
          served[i] = (served[i] ?? 0) + 1;
          await new Promise((r) => setTimeout(r, 20));
          held -= 1;
          await lease.release();
        }
      }),
    );
    expect(maxHeld).toBeLessThanOrEqual(3);
    expect(served).toEqual(new Array(8).fill(10));
    await Promise.all(all.map(({ semaphore: sem }) => sem.close()));
    expect(await childrenOf(admin, `${path}/leases`)).toEqual([]);
    expect(await childrenOf(admin, `${path}/locks`)).toEqual([]);
  });

  test('8 contenders holding on, N=3: exactly 3 get in until one releases', async () => {
    const path = '/sem/hold';
    const all = await Promise.all(Array.from({ length: 8 }, () => semaphore(path, 3)));
    const granted: number[] = [];
    const leases = all.map(({ semaphore: sem }, i) =>
      sem.acquire().then((lease) => {
        granted.push(i);
        return lease;
      }),
    );
    await eventually(() => granted.length === 3, 'three leases');
    await eventually(
      () => all.filter(({ semaphore: sem }) => sem.state.kind === 'waiting').length === 1,
      'the next contender waiting for a lease',
    );
    expect(granted).toHaveLength(3);
    await (await leases[granted[0]!]!).release();
    await eventually(() => granted.length === 4, 'a fourth lease after one release');
    // Release in the order granted: at most 3 are ever held, so later ones wait for these.
    for (let k = 0; k < leases.length; k++) {
      await eventually(() => granted.length > k, `lease ${k + 1}`);
      await (await leases[granted[k]!]!).release();
    }
    await Promise.all(all.map(({ semaphore: sem }) => sem.close()));
  });

  test('a full semaphore makes acquire wait, and a release lets one in; abort and timeout clean up', async () => {
    const path = '/sem/wait';
    const a = await semaphore(path, 1);
    const b = await semaphore(path, 1);
    const first = await a.semaphore.acquire();
    expect(first.fencingToken).toBeTypeOf('bigint');
    await expect(b.semaphore.acquire({ timeoutMs: 200 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const controller = new AbortController();
    const aborted = b.semaphore.acquire({ signal: controller.signal });
    await eventually(() => b.semaphore.state.kind === 'waiting', 'waiting for a lease');
    controller.abort(new Error('gave up'));
    await expect(aborted).rejects.toThrow('gave up');
    await b.semaphore.settled();
    await eventually(
      async () => (await childrenOf(admin, `${path}/leases`)).length === 1,
      'only the held lease left',
    );
    const second = b.semaphore.acquire();
    await eventually(() => b.semaphore.state.kind === 'waiting', 'waiting again');
    await first.release();
    await first.release(); // idempotent
    {
      await using lease = await second;
      expect(lease.signal.aborted).toBe(false);
    }
    expect(await childrenOf(admin, `${path}/leases`)).toEqual([]);
  });

  test('only the holder of the internal mutex watches the leases: a release wakes one process (HARD-CASES 7)', async () => {
    const path = '/sem/herd';
    const make = async () => {
      const { session, probe } = await probedSession(zk.connectString);
      opened.push(session);
      return { probe, sem: new Semaphore(session, path, 1) };
    };
    const [a, b, c] = [await make(), await make(), await make()];
    const lease = await a.sem.acquire();
    const bWaiting = b.sem.acquire();
    await eventually(() => b.sem.state.kind === 'waiting', 'b waits for a lease');
    const cWaiting = c.sem.acquire();
    await eventually(() => c.sem.state.kind === 'locking', 'c waits for the internal mutex');
    const leaseTriggers = () =>
      [a, b, c].map(
        ({ probe }) => probe.triggers.filter((t) => t.path === `${path}/leases`).length,
      );
    expect(leaseTriggers()).toEqual([0, 0, 0]);
    await lease.release();
    const bLease = await bWaiting;
    expect(leaseTriggers()).toEqual([0, 1, 0]);
    await bLease.release();
    await (await cWaiting).release();
  });

  test('an acquire waiting for a lease survives its session expiring: it starts over on the next one', async () => {
    const path = '/sem/waiter-expiry';
    const a = await semaphore(path, 1);
    const b = await semaphore(path, 1);
    const lease = await a.semaphore.acquire();
    const waiting = b.semaphore.acquire();
    await eventually(() => b.semaphore.state.kind === 'waiting', 'b waits for a lease');
    await expireSession(b.session);
    await eventually(() => b.session.generation === 2, 'b on its next session');
    await eventually(() => b.semaphore.state.kind === 'waiting', 'b waits again');
    await lease.release();
    const bLease = await waiting;
    const { stat } = await admin.getData(bLease.node);
    expect(stat.ephemeralOwner).toBe(b.session.sessionId);
    await bLease.release();
    expect(await childrenOf(admin, `${path}/leases`)).toEqual([]);
  });

  test('bad input and an aborted signal: typed errors, nothing created', async () => {
    const { session } = await semaphore('/unused', 1);
    expect(() => new Semaphore(session, 'relative', 1)).toThrow(InvalidArgumentError);
    expect(() => new Semaphore(session, '/sem/x', 0)).toThrow(InvalidArgumentError);
    const sem = new Semaphore(session, '/sem/aborted', 2);
    const reason = new Error('before');
    await expect(sem.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await admin.exists('/sem/aborted')).toBeNull();
    await sem.close();
  });

  test("holder's session expired: its lease signal aborts and `lost` fires (HARD-CASES 5)", async () => {
    const { session, semaphore: sem } = await semaphore('/sem/expiry', 1);
    const lease = await sem.acquire();
    const lost: LockLostError[] = [];
    sem.on('lost', (e) => lost.push(e));
    await expireSession(session);
    await eventually(() => lease.signal.aborted, 'the lease signal aborted');
    expect(lease.signal.reason).toBeInstanceOf(LockLostError);
    expect(lost).toHaveLength(1);
    await lease.release();
    const again = await sem.acquire(); // on the new session
    await again.release();
    await sem.close();
  });

  test('tryAcquire: a lease while one is free, undefined when all are taken, nothing left behind', async () => {
    const path = '/sem/try';
    const a = await semaphore(path, 1);
    const b = await semaphore(path, 1);
    const lease = await a.semaphore.tryAcquire();
    expect(lease).toBeDefined();
    expect(await b.semaphore.tryAcquire()).toBeUndefined();
    expect(await childrenOf(admin, `${path}/leases`)).toHaveLength(1);
    await b.semaphore.settled();
    expect(await childrenOf(admin, `${path}/locks`)).toEqual([]);
    await lease!.release();
    const next = await b.semaphore.tryAcquire();
    expect(next).toBeDefined();
    await next!.release();
    await a.semaphore.close();
    await b.semaphore.close();
  });

  test('a held lease deleted by someone: its signal aborts, at once after acquire and later on', async () => {
    const { semaphore: sem } = await semaphore('/sem/deleted', 2);
    const lost: LockLostError[] = [];
    sem.on('lost', (e) => lost.push(e));
    for (const pause of [0, 100]) {
      const lease = await sem.acquire();
      await new Promise((r) => setTimeout(r, pause)); // 0: before its watch is armed; 100: after
      await admin.delete(lease.node);
      await eventually(() => lease.signal.aborted, 'the holder told');
      expect((lease.signal.reason as LockLostError).reason).toBe('deleted');
      await lease.release(); // already gone: no error
    }
    expect(lost.map((e) => e.reason)).toEqual(['deleted', 'deleted']);
    await sem.close();
  });
});
