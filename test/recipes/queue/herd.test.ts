/**
 * No herd (HARD-CASES 7): five consumers in separate sessions wait on an empty queue; one put
 * must not make all of them read the queue. Counted by the getChildren calls on the queue node
 * that reach each consumer's transport.
 */
import { expect, test } from 'vitest';
import { PriorityQueue } from '../../../src/recipes/priority-queue.js';
import { RecipeClosedError } from '../../../src/session/errors.js';
import type { Session } from '../../../src/session/session.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually } from './helpers.js';
import { type QueueSpy, queueSpy } from './spy.js';

const zk = useZooKeeper({ servers: 1 });

test('one put wakes the consumer first in line and its successor, not all five', async () => {
  const path = '/herd';
  const spies: QueueSpy[] = [];
  const sessions: Session[] = [];
  const queues: PriorityQueue<string>[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      const spy = await queueSpy();
      spies.push(spy);
      const session = await connect(zk.connectString, { transport: spy.factory });
      sessions.push(session);
      queues.push(new PriorityQueue<string>(session, path));
    }
    const got: string[] = [];
    const takes = queues.map((q, i) =>
      q.take().then(
        (item) => got.push(`${i}:${item.value}`),
        (err: unknown) => {
          if (!(err instanceof RecipeClosedError)) throw err;
        },
      ),
    );
    const waiting = () => queues.filter((q) => q.state.kind === 'watching').length === 1;
    await eventually(
      () => waiting() && queues.every((q) => ['queuing', 'watching'].includes(q.state.kind)),
      'all five in line, one watching',
    );
    await new Promise((r) => setTimeout(r, 300)); // let the line settle
    const before = spies.map((s) => s.listings.get(path) ?? 0);

    const producer = await connect(zk.connectString);
    sessions.push(producer);
    await new PriorityQueue<string>(producer, path).put('one');
    await eventually(() => got.length === 1, 'one take to resolve');
    await eventually(waiting, 'a new watcher');
    await new Promise((r) => setTimeout(r, 500)); // any late wake-up would show by now

    const woke = spies.map((s, i) => (s.listings.get(path) ?? 0) - (before[i] as number));
    const readers = woke.filter((n) => n > 0).length;
    console.log(`herd: getChildren(${path}) per consumer after one put: ${woke.join(', ')}`);
    expect(got).toHaveLength(1);
    // The first in line and its successor; the first may list twice when its listing is older
    // than freshnessMs by the time it claims (a loaded machine), which is no herd.
    expect(readers).toBeLessThanOrEqual(2);
    for (const q of queues) await q.close();
    await Promise.all(takes);
  } finally {
    for (const q of queues) await q.close();
    await Promise.all(sessions.map((s) => s.close()));
  }
});
