/**
 * PriorityQueue `take` (at-most-once) against a real ZooKeeper: the anchors' workload (5,000
 * items, random priorities, 2 producers, 3 consumers in separate sessions), Curator's layout,
 * and bad input.
 */
import { describe, expect, test } from 'vitest';
import { PriorityQueue } from '../../../src/recipes/priority-queue.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, lateInversions, lcgPriorities, type Timeline } from './helpers.js';

const zk = useZooKeeper({ servers: 1 });

describe('PriorityQueue take', () => {
  test('5,000 items, 2 producers, 3 consumers: each delivered once, no late inversion', async () => {
    const total = 5_000;
    const priorities = lcgPriorities(total);
    const sessions = await Promise.all(Array.from({ length: 5 }, () => connect(zk.connectString)));
    const queues = sessions.map((s) => new PriorityQueue<number>(s, '/anchors/queue'));
    const [p1, p2, ...consumers] = queues as [
      PriorityQueue<number>,
      PriorityQueue<number>,
      ...PriorityQueue<number>[],
    ];
    const timeline: Timeline[] = priorities.map((priority) => ({
      priority,
      putAt: Number.POSITIVE_INFINITY,
      deliveredAt: Number.POSITIVE_INFINITY,
    }));
    const delivered: number[] = [];
    let done!: () => void;
    const allDelivered = new Promise<void>((resolve) => {
      done = resolve;
    });
    const consume = async (queue: PriorityQueue<number>) => {
      for (;;) {
        let id: number;
        try {
          ({ value: id } = await queue.take());
        } catch (err) {
          if (err instanceof RecipeClosedError) return;
          throw err;
        }
        (timeline[id] as Timeline).deliveredAt = performance.now();
        delivered.push(id);
        if (delivered.length === total) done();
      }
    };
    const produce = async (queue: PriorityQueue<number>, parity: number) => {
      for (let id = parity; id < total; id += 2) {
        await queue.put(id, { priority: priorities[id] as number });
        (timeline[id] as Timeline).putAt = performance.now();
      }
    };
    try {
      const consuming = consumers.map(consume);
      const start = performance.now();
      await Promise.all([produce(p1, 0), produce(p2, 1)]);
      const putDone = performance.now();
      await allDelivered;
      const end = performance.now();
      for (const q of consumers) await q.close();
      await Promise.all(consuming);

      expect(delivered).toHaveLength(total);
      expect(new Set(delivered).size).toBe(total);
      // The anchors' order_inversions_100ms, logged for comparison. The assertion uses a wider
      // margin: on an overloaded machine a round trip alone can take 100 ms, and a take can only
      // serve what its last listing (at most freshnessMs = 50 ms old when the claim started) saw.
      const late100 = lateInversions(timeline, 100);
      console.log(
        `take: ${total} items in ${(end - start).toFixed(0)} ms = ${((total * 1000) / (end - start)).toFixed(0)} items/s; ` +
          `puts ${((total * 1000) / (putDone - start)).toFixed(0)}/s; late inversions: >=100 ms ${late100}, ` +
          `>=500 ms ${lateInversions(timeline, 500)}; strict ${lateInversions(timeline, 0)}`,
      );
      expect(lateInversions(timeline, 500)).toBe(0);
      const { children } = await sessions[0]!.getChildren('/anchors/queue');
      expect(children).toEqual([]);
    } finally {
      await Promise.all(queues.map((q) => q.close()));
      await Promise.all(sessions.map((s) => s.close()));
    }
  }, 120_000);

  test("Curator's layout: names, framing; lower priority first, FIFO within a priority", async () => {
    await using session = await connect(zk.connectString);
    const queue = new PriorityQueue<string>(session, '/layout/priority-queue');
    try {
      const priorities = [5, 1, 50, 0, 99, 255, 1000, -1, -1000, 1];
      const ids: string[] = [];
      for (const [i, p] of priorities.entries())
        ids.push(await queue.put(i === 9 ? 'item-prio1-later' : `item-prio${p}`, { priority: p }));
      expect(ids[0]).toBe('queue-1000000050000000000');
      expect(ids[7]).toBe('queue-0FFFFFFFF0000000007');
      expect(ids[8]).toBe('queue-0FFFFFC180000000008');
      const { data } = await session.getData(`/layout/priority-queue/${ids[3]}`);
      const payload = Buffer.from('"item-prio0"').toString('hex');
      expect(data.toString('hex')).toBe(`00010001010000000c${payload}02`);
      const order: string[] = [];
      for (let i = 0; i < priorities.length; i++) order.push((await queue.take()).value);
      expect(order).toEqual([
        'item-prio-1000',
        'item-prio-1',
        'item-prio0',
        'item-prio1',
        'item-prio1-later', // FIFO within a priority
        'item-prio5',
        'item-prio50',
        'item-prio99',
        'item-prio255',
        'item-prio1000',
      ]);
    } finally {
      await queue.close();
    }
  });

  test('takes from a queue a Curator producer wrote (no -locks node yet)', async () => {
    await using session = await connect(zk.connectString);
    // The bytes of Curator's layout dump: priority 3, payload 'a'.
    await session.create(
      '/curator-made/queue-100000003',
      Buffer.from('0001000101000000016102', 'hex'),
      {
        mode: 'persistentSequential',
        createParents: true,
      },
    );
    const queue = new PriorityQueue<string>(session, '/curator-made', {
      serializer: {
        serialize: (v) => Buffer.from(v),
        deserialize: (b) => Buffer.from(b).toString(),
      },
    });
    try {
      await expect(queue.take()).resolves.toEqual({
        id: 'queue-1000000030000000000',
        priority: 3,
        value: 'a',
      });
    } finally {
      await queue.close();
    }
  });

  test('a take waits while the queue is empty; close() rejects it with RecipeClosedError', async () => {
    await using session = await connect(zk.connectString);
    const queue = new PriorityQueue<string>(session, '/waits');
    const waiting = queue.take();
    const timedOut = queue.take({ timeoutMs: 200 });
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' });
    await queue.put('late', { priority: 3 });
    await expect(waiting).resolves.toMatchObject({ value: 'late', priority: 3 });
    const last = expect(queue.take()).rejects.toBeInstanceOf(RecipeClosedError);
    await queue.close();
    await last;
    await expect(queue.put('x')).rejects.toBeInstanceOf(RecipeClosedError);
  });

  test('bad input: typed errors, nothing stored, nothing lost', async () => {
    await using session = await connect(zk.connectString);
    const queue = new PriorityQueue<unknown>(session, '/bad', { maxItemBytes: 1_000 });
    try {
      await queue.put('kept', { priority: 1 });
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      for (const item of [() => 1, 10n, cycle, undefined, { a: undefined }, [Symbol('s')]])
        await expect(queue.put(item)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(queue.put('x'.repeat(1_000))).rejects.toBeInstanceOf(InvalidArgumentError);
      for (const priority of [1.5, Number.NaN, 2 ** 31, -(2 ** 31) - 1, '1' as unknown as number])
        await expect(queue.put('x', { priority })).rejects.toBeInstanceOf(InvalidArgumentError);
      expect(() => new PriorityQueue(session, '/bad', { maxItemBytes: 2 ** 21 })).toThrow(
        InvalidArgumentError,
      );
      for (const path of [
        '/',
        'relative',
        '/q/queue-1000000010000000001',
        '/q-locks',
        '/q-puts',
        '/q-consumers',
      ])
        expect(() => new PriorityQueue(session, path)).toThrow(InvalidArgumentError);
      // A foreign child and an item that is not in Curator's framing are left alone.
      await session.create('/bad/foreign', 'x');
      await session.create('/bad/queue-100000000', 'not framed', { mode: 'persistentSequential' });
      const errors: Error[] = [];
      queue.on('error', (e) => errors.push(e));
      await expect(queue.take()).resolves.toMatchObject({ value: 'kept' });
      await expect(queue.take({ timeoutMs: 300 })).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(errors.map((e) => e.name)).toEqual(['ItemFormatError']);
      const { children } = await session.getChildren('/bad');
      expect(children.sort()).toEqual([
        'foreign',
        expect.stringMatching(/^queue-100000000\d{10}$/),
      ]);
    } finally {
      await queue.close();
    }
  });
});
