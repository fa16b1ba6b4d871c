/**
 * ReadWriteLock against a real standalone ZooKeeper: readers share, a writer excludes, readers
 * that come after a waiting writer queue behind it, and the write lock's owner may read.
 */
import { describe, expect, test } from 'vitest';
import { ReadWriteLock } from '../../../src/recipes/read-write-lock.js';
import { childrenOf, eventually, probedSession, useLockServer } from './support.js';

const { zk, admin, opened } = useLockServer();

async function rwlock(path: string): Promise<ReadWriteLock> {
  const { session } = await probedSession(zk.connectString);
  opened.push(session);
  return new ReadWriteLock(session, path);
}

describe('ReadWriteLock (standalone server)', () => {
  test('readers share; a writer waits for them; a later reader queues behind the writer', async () => {
    const path = '/rw/order';
    const [a, b, c, w] = await Promise.all([1, 2, 3, 4].map(() => rwlock(path)));
    const ra = await a!.readLock().acquire();
    const rb = await b!.readLock().acquire(); // shared
    const writing = w!.writeLock().acquire();
    await eventually(() => w!.writeLock().engine.state.kind === 'waiting', 'the writer in line');
    // A reader after the waiting writer watches that writer and does not get in.
    const reading = c!.readLock().acquire();
    await eventually(() => c!.readLock().engine.state.kind === 'waiting', 'the late reader');
    const writerNode = (await childrenOf(admin, path)).find((n) => n.includes('__WRIT__'))!;
    expect(c!.readLock().engine.state).toMatchObject({ watched: `${path}/${writerNode}` });
    expect(await c!.readLock().tryAcquire()).toBeUndefined();
    await ra.release();
    await rb.release();
    const wl = await writing;
    expect(c!.readLock().isHeld).toBe(false);
    await wl.release();
    const rc = await reading;
    expect(rc.node).toContain('__READ__');
    await rc.release();
    expect(await childrenOf(admin, path)).toEqual([]);
  });

  test('the write lock owner may take the read lock (Curator downgrade)', async () => {
    const lock = await rwlock('/rw/downgrade');
    const other = await rwlock('/rw/downgrade');
    const w = await lock.writeLock().acquire();
    const r = await lock.readLock().acquire();
    expect(await other.readLock().tryAcquire()).toBeUndefined();
    await w.release();
    await r.release();
    await lock.close();
  });

  test('4 readers and 2 writers in separate sessions: never a writer with anyone else', async () => {
    const path = '/rw/stress';
    const locks = await Promise.all(Array.from({ length: 6 }, () => rwlock(path)));
    let readers = 0;
    let writers = 0;
    let violations = 0;
    const check = () => {
      if (writers > 1 || (writers === 1 && readers > 0)) violations += 1;
    };
    await Promise.all(
      locks.map(async (rw, i) => {
        const writer = i < 2;
        for (let n = 0; n < 15; n++) {
          const lock = await (writer ? rw.writeLock() : rw.readLock()).acquire();
          if (writer) writers += 1;
          else readers += 1;
          check();
          await new Promise((r) => setTimeout(r, 2));
          check();
          if (writer) writers -= 1;
          else readers -= 1;
          await lock.release();
        }
      }),
    );
    expect(violations).toBe(0);
    await Promise.all(locks.map((l) => l.close()));
    expect(await childrenOf(admin, path)).toEqual([]);
  });
});
