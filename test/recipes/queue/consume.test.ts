/**
 * PriorityQueue `consume` (at-least-once) against a real ZooKeeper: a consumer killed with
 * SIGKILL mid-item, nack, ack after the session expired; and the lost reply of a put.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import {
  type ConsumedItem,
  ItemLockLostError,
  PriorityQueue,
} from '../../../src/recipes/priority-queue.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, lcgPriorities } from './helpers.js';
import { queueSpy } from './spy.js';

const zk = useZooKeeper({ servers: 1 });

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));

/** The next item of a fresh consume() iterator (left open: its lock stays until ack/nack). */
async function consumeOne<T>(queue: PriorityQueue<T>): Promise<ConsumedItem<T>> {
  const next = await queue.consume().next();
  if (next.done) throw new Error('consume() ended');
  return next.value;
}

describe('PriorityQueue consume', () => {
  test('500 items, 3 consumers in separate sessions: each acked once, none left', async () => {
    const total = 500;
    const priorities = lcgPriorities(total);
    const sessions = await Promise.all(Array.from({ length: 4 }, () => connect(zk.connectString)));
    const [producer, ...consumers] = sessions.map(
      (s) => new PriorityQueue<number>(s, '/consumed'),
    ) as [PriorityQueue<number>, ...PriorityQueue<number>[]];
    try {
      const acked: number[] = [];
      const controller = new AbortController();
      const working = consumers.map(async (queue) => {
        for await (const item of queue.consume({ signal: controller.signal })) {
          await item.ack();
          acked.push(item.value);
          if (acked.length === total) controller.abort();
        }
      });
      for (let id = 0; id < total; id++)
        await producer.put(id, { priority: priorities[id] as number });
      await Promise.all(working);
      expect(acked).toHaveLength(total);
      expect(new Set(acked).size).toBe(total);
      expect((await sessions[0]?.getChildren('/consumed'))?.children).toEqual([]);
      expect((await sessions[0]?.getChildren('/consumed-locks'))?.children).toEqual([]);
    } finally {
      for (const s of sessions) await s.close();
    }
  });

  test('a consumer killed with SIGKILL mid-item: its item is delivered again, none lost', async () => {
    const path = '/killed';
    await using session = await connect(zk.connectString);
    const queue = new PriorityQueue<string>(session, path);
    try {
      for (const [value, priority] of [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ] as const)
        await queue.put(value, { priority });
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, zk.connectString, path], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout?.on('data', (chunk) => {
        output += String(chunk);
      });
      child.stderr?.on('data', (chunk) => {
        output += String(chunk);
      });
      await eventually(() => output.includes('holding'), `the child to hold an item: ${output}`);
      const held = /holding (\S+)/.exec(output)?.[1];
      expect(held).toBe('queue-1000000010000000000'); // the best item, 'a'
      child.kill('SIGKILL');

      const seen: string[] = [];
      const controller = new AbortController();
      for await (const item of queue.consume({ signal: controller.signal })) {
        seen.push(item.value);
        await item.ack();
        if (seen.length === 3) controller.abort();
      }
      // 'b' and 'c' at once; 'a' once the child's session timed out and its lock went with it.
      expect(seen).toEqual(['b', 'c', 'a']);
      expect((await session.getChildren(path)).children).toEqual([]);
      expect((await session.getChildren(`${path}-locks`)).children).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  test('nack gives the item back; ack deletes item and lock', async () => {
    await using session = await connect(zk.connectString);
    const queue = new PriorityQueue<string>(session, '/nack');
    try {
      const id = await queue.put('x', { priority: 7 });
      const first = await consumeOne(queue);
      expect(first).toMatchObject({ id, priority: 7, value: 'x' });
      expect((await session.getChildren('/nack-locks')).children).toEqual([id]);
      await first.nack();
      await expect(first.ack()).rejects.toBeInstanceOf(ItemLockLostError);
      const again = await consumeOne(queue);
      expect(again.id).toBe(id);
      await again.ack();
      expect((await session.getChildren('/nack')).children).toEqual([]);
      expect((await session.getChildren('/nack-locks')).children).toEqual([]);
    } finally {
      await queue.close();
    }
  });

  test('ack after the session expired rejects typed; the item is delivered again', async () => {
    await using s1 = await connect(zk.connectString);
    await using s2 = await connect(zk.connectString);
    const q1 = new PriorityQueue<string>(s1, '/expired');
    const q2 = new PriorityQueue<string>(s2, '/expired');
    try {
      const id = await q1.put('work', { priority: 0 });
      const item = await consumeOne(q1);
      const lost = new Promise((resolve) => s1.once('lost', resolve));
      await expireSession(s1);
      await lost;
      expect(item.signal.aborted).toBe(true);
      await expect(item.ack()).rejects.toBeInstanceOf(ItemLockLostError);
      const again = await consumeOne(q2);
      expect(again).toMatchObject({ id, value: 'work' });
      await again.ack();
      expect((await s2.getChildren('/expired')).children).toEqual([]);
    } finally {
      await q1.close();
      await q2.close();
    }
  });

  test('a take waiting when its session expires is served on the new session', async () => {
    await using s1 = await connect(zk.connectString);
    await using s2 = await connect(zk.connectString);
    const q1 = new PriorityQueue<string>(s1, '/expired-wait');
    const q2 = new PriorityQueue<string>(s2, '/expired-wait');
    try {
      const waiting = q1.take();
      await eventually(() => q1.state.kind === 'watching', 'the take to watch the queue');
      const back = new Promise((resolve) => s1.once('connected', resolve));
      await expireSession(s1);
      await back;
      await q2.put('after', { priority: 1 });
      await expect(waiting).resolves.toMatchObject({ value: 'after' });
    } finally {
      await q1.close();
      await q2.close();
    }
  });

  test('a put whose reply is lost is stored once, and resolves with its id', async () => {
    const spy = await queueSpy();
    await using session = await connect(zk.connectString, { transport: spy.factory });
    const queue = new PriorityQueue<string>(session, '/lost-reply');
    try {
      await queue.put('first', { priority: 1 });
      spy.loseMultiReplyUnder = '/lost-reply/';
      const id = await queue.put('second', { priority: 2 });
      expect(spy.lostReplies).toBe(1);
      const { children } = await session.getChildren('/lost-reply');
      expect(children.sort()).toEqual(['queue-1000000010000000000', id]);
      expect(id).toBe('queue-1000000020000000001');
      // The markers of finished puts are deleted by later puts, or with the session.
      await queue.put('third', { priority: 3 });
      expect((await session.getChildren('/lost-reply-puts')).children).toHaveLength(1);
    } finally {
      await queue.close();
    }
  });

  test('the connection really drops after the put reached the server: stored once', async () => {
    const spy = await queueSpy();
    await using session = await connect(zk.connectString, {
      transport: spy.factory,
      sessionTimeoutMs: 20_000,
    });
    const queue = new PriorityQueue<string>(session, '/dropped');
    try {
      await queue.put('before', { priority: 1 });
      spy.loseMultiReplyUnder = '/dropped/';
      let restarted: Promise<void> | undefined;
      spy.onLostReply = async () => {
        await zk.stopServer(0);
        restarted = new Promise((r) => setTimeout(r, 300)).then(() => zk.startServer(0));
      };
      const id = await queue.put('during', { priority: 2 });
      await restarted; // the put may be answered before the restart has finished its checks
      expect(spy.lostReplies).toBe(1);
      const { children } = await session.getChildren('/dropped');
      expect(children.sort()).toEqual(['queue-1000000010000000000', id]);
    } finally {
      await queue.close();
    }
  });
});
