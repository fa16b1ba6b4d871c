/**
 * `queue --items 5000 --consumers 2 --impl take|consume`: one producer session puts the items
 * (payload = decimal id) one after another with LCG priorities 0..99, lower first; 2 consumer
 * sessions, each with its own PriorityQueue, take at the same time. Mirrors w_queue of
 * python/bench.py. ops/s = items / (first put .. last delivery); p50/p99 = put returned ->
 * delivered. Checks: every id exactly once; order inversions (strict and >= 100 ms).
 *
 * `take` is at-most-once (the item is deleted when claimed: Curator's DistributedPriorityQueue
 * without lockPath); `consume` is at-least-once (held under a lock until ack: the lockPath
 * variant). Not in run-all.sh's `*` lines: run-anchors.sh adds the `ts|queue` lines.
 */
import { PriorityQueue } from '../../src/recipes/priority-queue.js';
import type { Serializer } from '../../src/recipes/queue/framing.js';
import type { Session } from '../../src/session/session.js';
import {
  type Args,
  basePath,
  closeQuietly,
  connectSession,
  deleteTree,
  emit,
  intArg,
  Lcg,
  libLabel,
  log,
  ms,
  now,
  pct,
  seconds,
  sessionMs,
  sleep,
  transportArg,
} from './common.js';
import { inversions } from './queue-order.js';

/** The payload is the decimal id as bytes, as the other harnesses put it. */
const decimal: Serializer<number> = {
  serialize: (i) => Buffer.from(String(i)),
  deserialize: (b) => Number(Buffer.from(b).toString('utf8')),
};

export async function queue(args: Args): Promise<void> {
  const items = intArg(args, 'items', 5000);
  const consumers = intArg(args, 'consumers', 2);
  const impl = args.impl ?? 'take';
  if (impl !== 'take' && impl !== 'consume')
    throw new Error('the ts harness supports --impl take|consume');
  const seed = intArg(args, 'seed', 42);
  const prioRange = intArg(args, 'prio-range', 100);
  const timeoutS = intArg(args, 'timeout', 100);
  const timeoutMs = sessionMs(args);
  const transport = transportArg(args);
  const params = {
    items,
    consumers,
    impl,
    recipe: `PriorityQueue.${impl}`,
    prio_range: prioRange,
    seed,
    transport,
  };
  const rng = new Lcg(seed);
  const prio = Array.from({ length: items }, () => rng.next(prioRange));
  const putDone = new Array<bigint>(items).fill(0n);
  const taken = new Array<bigint>(items).fill(0n);
  const takes = new Array<number>(items).fill(0);
  let delivered = 0;
  let unknown = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => {
    allDone = r;
  });
  const onItem = (i: number) => {
    const t = now();
    if (!(Number.isInteger(i) && i >= 0 && i < items)) {
      unknown++;
      return;
    }
    takes[i]! += 1;
    if (takes[i] === 1) taken[i] = t;
    if (++delivered >= items) allDone();
  };

  const qpath = `${basePath('queue')}/queue`;
  const stop = new AbortController();
  const producer = await connectSession(args.connect!, timeoutMs, transport);
  const sessions: Session[] = [];
  const queues: PriorityQueue<number>[] = [];
  const open = (s: Session) => {
    const q = new PriorityQueue<number>(s, qpath, { serializer: decimal });
    q.on('error', (e) => log('queue error:', e));
    queues.push(q);
    return q;
  };
  const consume = async (q: PriorityQueue<number>) => {
    while (!stop.signal.aborted) {
      try {
        if (impl === 'take') {
          onItem((await q.take({ signal: stop.signal })).value);
          continue;
        }
        for await (const item of q.consume({ signal: stop.signal })) {
          onItem(item.value);
          await item.ack();
        }
      } catch (err) {
        if (stop.signal.aborted) return;
        log('consumer:', err);
        await sleep(10);
      }
    }
  };
  try {
    for (let c = 0; c < consumers; c++)
      sessions.push(await connectSession(args.connect!, timeoutMs, transport));
    const loops = sessions.map((s) => consume(open(s)));
    await sleep(300);
    const pq = open(producer);
    const p0 = now();
    for (let i = 0; i < items; i++) {
      await pq.put(i, { priority: prio[i]! });
      putDone[i] = now();
    }
    const p1 = now();
    await Promise.race([finished, sleep(timeoutS * 1000)]);
    await sleep(500); // late duplicates would show up here
    stop.abort();
    await Promise.race([Promise.all(loops), sleep(5000)]);
    const missing = takes.filter((x) => x === 0).length;
    const duplicates = takes.reduce((sum, x) => sum + Math.max(0, x - 1), 0);
    let last = p0;
    for (let i = 0; i < items; i++) if (takes[i]! > 0 && taken[i]! > last) last = taken[i]!;
    const lat: number[] = [];
    for (let i = 0; i < items; i++) if (takes[i]! > 0) lat.push(ms(taken[i]! - putDone[i]!));
    const elapsed = seconds(last - p0);
    emit({
      lib: libLabel(args),
      workload: 'queue',
      params,
      opsPerS: missing === 0 ? items / elapsed : null,
      p50: pct(lat, 0.5),
      p99: pct(lat, 0.99),
      ok: missing === 0 && duplicates === 0 && unknown === 0,
      extra: {
        delivered,
        missing,
        duplicates,
        unknown_payloads: unknown,
        producer_puts_per_s: items / seconds(p1 - p0),
        elapsed_s: elapsed,
        order_key: 'priority',
        order_inversions: inversions(prio, putDone, taken, takes, 0n),
        order_inversions_100ms: inversions(prio, putDone, taken, takes, 100_000_000n),
        order_inversion_pairs_checked: takes.filter((x) => x > 0).length,
        p_metric: 'put completed -> delivered to consumer',
      },
    });
  } finally {
    stop.abort();
    await Promise.all(queues.map((q) => closeQuietly(q)));
    await Promise.all(sessions.map((s) => closeQuietly(s)));
    await deleteTree(producer, qpath.slice(0, qpath.lastIndexOf('/'))).catch((e) =>
      log('cleanup:', e),
    );
    await closeQuietly(producer);
  }
}
