/**
 * Mutex against a real standalone ZooKeeper: mutual exclusion under contention, one wake-up per
 * release, and the hard cases of HARD-CASES.md that apply to a lock (1, 2, 5, 7, 9, 10).
 */
import { describe, expect, test } from 'vitest';
import { LockLostError } from '../../../src/recipes/lock-errors.js';
import { Mutex } from '../../../src/recipes/mutex.js';
import {
  ConnectionLossError,
  InvalidArgumentError,
  NotOwnerError,
} from '../../../src/session/errors.js';
import { MultiError } from '../../../src/session/multi.js';
import type { Session } from '../../../src/session/session.js';
import type { CreateOptions } from '../../../src/session/transport/types.js';
import { expireSession } from '../../../src/testing/index.js';
import {
  childrenOf,
  eventually,
  type Probe,
  probedSession,
  sleep,
  useLockServer,
} from './support.js';

const { zk, admin, opened } = useLockServer();

async function contender(path: string): Promise<{ session: Session; probe: Probe; mutex: Mutex }> {
  const { session, probe } = await probedSession(zk.connectString);
  opened.push(session);
  return { session, probe, mutex: new Mutex(session, path) };
}

let lockCount = 0;
const lockPath = () => `/locks/m${++lockCount}`;

describe('Mutex (standalone server)', () => {
  test('16 contenders, 500 acquire/release cycles: never two holders, everyone served, no node left', async () => {
    const path = lockPath();
    const contenders = await Promise.all(Array.from({ length: 16 }, () => contender(path)));
    let holders = 0;
    let maxHolders = 0;
    const served = new Array<number>(16).fill(0);
    let remaining = 500;
    await Promise.all(
      contenders.map(async ({ mutex }, i) => {
        while (remaining > 0) {
          remaining -= 1;
          const lock = await mutex.acquire();
          holders += 1;
          maxHolders = Math.max(maxHolders, holders);
          served[i] = (served[i] ?? 0) + 1;
          await new Promise((r) => setImmediate(r));
          holders -= 1;
          await lock.release();
        }
      }),
    );
    expect(maxHolders).toBe(1);
    expect(served.reduce((a, b) => a + b, 0)).toBe(500);
    expect(served.every((n) => n > 0)).toBe(true);
    await Promise.all(contenders.map(({ mutex }) => mutex.close()));
    expect(await childrenOf(admin, path)).toEqual([]);
  });

  test('a release wakes exactly one waiter (HARD-CASES 7)', async () => {
    const path = lockPath();
    const all = await Promise.all(Array.from({ length: 5 }, () => contender(path)));
    const [holder, ...waiters] = all as [(typeof all)[0], ...typeof all];
    const lock = await holder.mutex.acquire();
    // Get in line one by one, so that the order (and so the next holder) is known.
    const pending = [];
    for (const w of waiters) {
      pending.push(w.mutex.acquire());
      await eventually(() => w.mutex.engine.state.kind === 'waiting', 'a waiter in line');
    }
    const before = all.map(({ probe }) => ({
      lists: probe.calls.filter((c) => c === 'getChildren').length,
      triggers: probe.triggers.length,
    }));
    await lock.release();
    const next = await pending[0]!;
    await sleep(500); // room for any extra wake-up to show
    const after = all.map(({ probe }, i) => ({
      lists: probe.calls.filter((c) => c === 'getChildren').length - before[i]!.lists,
      triggers: probe.triggers.length - before[i]!.triggers,
    }));
    // Only the first waiter heard the release; the holder's own node watch fired for the holder
    // itself. Nobody listed again: the first waiter's last look had only the holder ahead.
    expect(after.map((a) => a.lists)).toEqual([0, 0, 0, 0, 0]);
    expect(after.map((a) => a.triggers)).toEqual([1, 1, 0, 0, 0]);
    await next.release();
    for (const p of pending.slice(1)) await (await p).release();
  });

  test('holder session expired: its signal aborts and `lost` fires before anyone else acquires (HARD-CASES 5)', async () => {
    const path = lockPath();
    const holder = await contender(path);
    const other = await contender(path);
    const order: string[] = [];
    const lock = await holder.mutex.acquire();
    lock.signal.addEventListener('abort', () => order.push('holder signal aborted'));
    holder.mutex.on('lost', () => order.push('holder lost'));
    const waiting = other.mutex.acquire().then((l) => {
      order.push('other acquired');
      return l;
    });
    await eventually(() => other.mutex.engine.state.kind === 'waiting', 'the other in line');
    await expireSession(holder.session);
    const otherLock = await waiting;
    expect(order.indexOf('holder signal aborted')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('holder lost')).toBeLessThan(order.indexOf('other acquired'));
    expect(order.indexOf('holder signal aborted')).toBeLessThan(order.indexOf('other acquired'));
    expect(lock.signal.reason).toBeInstanceOf(LockLostError);
    expect(otherLock.fencingToken).toBeGreaterThan(lock.fencingToken);
    await lock.release(); // after loss: a no-op, no error
    await otherLock.release();
  });

  test('connection loss during the create: the node is found and used, not leaked (HARD-CASES 1)', async () => {
    const path = lockPath();
    const { mutex, probe } = await contender(path);
    let lostReplies = 0;
    probe.intercept = (op, args, real) => {
      if (op !== 'create' || !String(args[0]).includes('-lock-') || lostReplies > 0)
        return undefined;
      // The create reaches the server; its reply is "lost".
      return real
        .create(args[0] as string, args[1] as Uint8Array, args[2] as CreateOptions)
        .then(() => {
          lostReplies += 1;
          throw new ConnectionLossError(args[0] as string);
        });
    };
    const lock = await mutex.acquire();
    expect(lostReplies).toBe(1);
    const children = await childrenOf(admin, path);
    expect(children).toHaveLength(1);
    expect(lock.node).toBe(`${path}/${children[0]}`);
    await lock.release();
    expect(await childrenOf(admin, path)).toEqual([]);
  });

  test('own node deleted by someone while waiting: re-created at once, still served (HARD-CASES 9)', async () => {
    const path = lockPath();
    const holder = await contender(path);
    const waiter = await contender(path);
    const lock = await holder.mutex.acquire();
    const waiting = waiter.mutex.acquire();
    await eventually(() => waiter.mutex.engine.state.kind === 'waiting', 'the waiter in line');
    const state = waiter.mutex.engine.state;
    const first = state.kind === 'waiting' ? state.node : '';
    await admin.delete(first);
    // Back in line while the holder still holds: a new node of the waiter is listed.
    await eventually(async () => {
      const names = await childrenOf(admin, path);
      return names.length === 2 && !names.some((n) => first.endsWith(n));
    }, 'the waiter re-created its node');
    await lock.release();
    const served = await waiting;
    expect(served.node).not.toBe(first);
    await served.release();
  });

  test("the holder's node deleted by someone: its signal aborts, at once after acquire and later on", async () => {
    const path = lockPath();
    const { mutex } = await contender(path);
    for (const pause of [0, 100]) {
      const lock = await mutex.acquire();
      await sleep(pause); // 0: before the watch on the node is armed; 100: after
      await admin.delete(lock.node);
      await eventually(() => lock.signal.aborted, 'the holder told');
      expect(lock.signal.reason).toBeInstanceOf(LockLostError);
      expect((lock.signal.reason as LockLostError).reason).toBe('deleted');
      await lock.release(); // the node is gone already: no error
    }
  });

  test('a node of another session listed first does not make its believed owner holder (HARD-CASES 2)', async () => {
    const path = lockPath();
    const stranger = await probedSession(zk.connectString);
    opened.push(stranger.session);
    const { session, mutex, probe } = await contender(path);
    const acquired: string[] = [];
    mutex.on('acquired', (e) => acquired.push(e.node));
    // The first lock node is made by another session (as a node of an expired session would
    // still be listed) but reported to the mutex as its own.
    let redirected = '';
    probe.intercept = (op, args) => {
      if (op !== 'create' || !String(args[0]).includes('-lock-') || redirected !== '')
        return undefined;
      const strangerTransport = stranger.probe.transports.at(-1)!;
      return strangerTransport
        .create(args[0] as string, args[1] as Uint8Array, args[2] as CreateOptions)
        .then((r) => {
          redirected = r.path;
          return r;
        });
    };
    const lock = await mutex.acquire();
    expect(redirected).not.toBe('');
    expect(lock.node).not.toBe(redirected);
    expect(acquired).toEqual([lock.node]);
    const { stat } = await admin.getData(lock.node);
    expect(stat.ephemeralOwner).toBe(session.sessionId);
    await lock.release();
  });

  test('release retried after a connection loss: the node goes eventually (HARD-CASES 10)', async () => {
    const path = lockPath();
    const { mutex, probe } = await contender(path);
    const lock = await mutex.acquire();
    let failedDeletes = 0;
    probe.intercept = (op, args) => {
      if (op !== 'delete' || failedDeletes >= 2) return undefined;
      failedDeletes += 1;
      return Promise.reject(new ConnectionLossError(args[0] as string));
    };
    await lock.release(); // resolves after the first attempt; the retry goes on
    await mutex.settled();
    expect(failedDeletes).toBe(2);
    expect(await admin.exists(lock.node)).toBeNull();
  });
});

describe('Mutex API (standalone server)', () => {
  test('bad input: relative or empty paths, an aborted signal, another owner: typed errors', async () => {
    const { session } = await contender('/unused');
    expect(() => new Mutex(session, 'locks/relative')).toThrow(InvalidArgumentError);
    expect(() => new Mutex(session, '')).toThrow(InvalidArgumentError);
    expect(() => new Mutex(session, '/locks/trailing/')).toThrow(InvalidArgumentError);
    const path = lockPath();
    const mutex = new Mutex(session, path);
    const reason = new Error('aborted before');
    await expect(mutex.acquire({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await admin.exists(path)).toBeNull(); // nothing created, not even the parent
    await expect(mutex.acquire({ timeoutMs: -1 })).rejects.toBeInstanceOf(InvalidArgumentError);
    const lock = await mutex.acquire();
    const stranger = new Mutex(session, path);
    await expect(stranger.release(lock)).rejects.toBeInstanceOf(NotOwnerError);
    expect(mutex.isHeld).toBe(true);
    await mutex.release(lock);
    await mutex.release(lock); // twice: idempotent
    await lock.release();
    expect(mutex.isHeld).toBe(false);
    expect(await childrenOf(admin, path)).toEqual([]);
  });

  test('re-entrant per Mutex: handles count, the node goes with the last release (Curator semantics)', async () => {
    const path = lockPath();
    const { mutex } = await contender(path);
    const other = await contender(path);
    const a = await mutex.acquire();
    const b = await mutex.acquire();
    expect(b.node).toBe(a.node);
    expect(b.fencingToken).toBe(a.fencingToken);
    expect(await other.mutex.tryAcquire()).toBeUndefined();
    expect(await childrenOf(admin, path)).toHaveLength(1); // tryAcquire left no node
    await a.release();
    await a.release(); // a second release of one handle does not count twice
    expect(await admin.exists(b.node)).not.toBeNull();
    await b.release();
    expect(await admin.exists(b.node)).toBeNull();
    const taken = await other.mutex.tryAcquire();
    expect(taken).toBeDefined();
    await taken?.release();
  });

  test('acquire gives up on timeout or abort and deletes its node', async () => {
    const path = lockPath();
    const holder = await contender(path);
    const waiter = await contender(path);
    const lock = await holder.mutex.acquire();
    await expect(waiter.mutex.acquire({ timeoutMs: 200 })).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    const controller = new AbortController();
    const waiting = waiter.mutex.acquire({ signal: controller.signal });
    await eventually(() => waiter.mutex.engine.state.kind === 'waiting', 'waiting');
    controller.abort(new Error('no longer needed'));
    await expect(waiting).rejects.toThrow('no longer needed');
    await waiter.mutex.settled();
    await eventually(async () => (await childrenOf(admin, path)).length === 1, 'only the holder');
    await lock.release();
  });

  test('await using releases; guard writes only while the node exists', async () => {
    const path = lockPath();
    const { mutex } = await contender(path);
    await admin.create('/guarded', 'v0');
    let node = '';
    {
      await using lock = await mutex.acquire();
      node = lock.node;
      const [result] = await lock.guard([{ op: 'setData', path: '/guarded', data: 'v1' }]);
      expect(result).toMatchObject({ op: 'setData' });
      expect((await admin.getData('/guarded')).data.toString()).toBe('v1');
      await admin.delete(lock.node); // someone takes the lock node away
      const refused = await lock
        .guard([{ op: 'setData', path: '/guarded', data: 'v2' }])
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(NotOwnerError);
      expect((refused as Error).cause).toSatisfy(
        (c) => c instanceof MultiError || (c instanceof LockLostError && c.reason === 'deleted'),
      );
      expect((await admin.getData('/guarded')).data.toString()).toBe('v1');
      await eventually(() => lock.signal.aborted, 'the holder told');
      expect((lock.signal.reason as LockLostError).reason).toBe('deleted');
    }
    expect(await admin.exists(node)).toBeNull();
    await expect(
      (async () => {
        const lock = await mutex.acquire();
        await lock.release();
        return lock.guard([]);
      })(),
    ).rejects.toBeInstanceOf(NotOwnerError);
  });
});
