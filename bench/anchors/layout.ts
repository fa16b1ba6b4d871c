/**
 * `layout`: small runs of our recipes with the znode tree dumped while each is in use and again
 * after it finished, before cleanup: one JSON line per snapshot, the format of w_layout in
 * python/bench.py, so the harness's layout.py renders ours next to Curator's (wire
 * compatibility: names, data, ephemeral or not; the txn log tells containers apart).
 */
import { LeaderElection } from '../../src/recipes/leader-election.js';
import { Mutex } from '../../src/recipes/mutex.js';
import { PriorityQueue } from '../../src/recipes/priority-queue.js';
import { ServiceRegistry } from '../../src/recipes/service-registry.js';
import { ZkError } from '../../src/session/errors.js';
import type { Session } from '../../src/session/session.js';
import {
  type Args,
  basePath,
  closeQuietly,
  connectSession,
  deleteTree,
  LIB,
  log,
  sleep,
} from './common.js';

interface Snapshot {
  path: string;
  data: string | null;
  mode: string;
}

/** Printable ASCII as text, anything else as 0x-hex (python's render()). */
function render(data: Buffer): string {
  const s = data.toString('latin1');
  return /^[\x20-\x7e\n\t]*$/.test(s) ? s : `0x${data.toString('hex')}`;
}

async function walk(s: Session, path: string, out: Snapshot[]): Promise<void> {
  let read: Awaited<ReturnType<Session['getData']>>;
  try {
    read = await s.getData(path);
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return;
    throw err;
  }
  // The server reports ephemeralOwner 0 for persistent and container nodes alike.
  const mode = read.stat.ephemeralOwner === 0n ? 'persistent_or_container' : 'ephemeral';
  out.push({ path, data: render(read.data), mode });
  const { children } = await s.getChildren(path).catch(() => ({ children: [] as string[] }));
  for (const child of children.sort()) await walk(s, `${path}/${child}`, out);
}

async function dump(s: Session, recipe: string, phase: string, base: string, ...paths: string[]) {
  const nodes: Snapshot[] = [];
  for (const p of paths.length > 0 ? paths : [base]) await walk(s, p, nodes);
  const line = { lib: LIB, workload: 'layout', recipe, phase, base, nodes };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function waitChildren(s: Session, path: string, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const count = await s.getChildren(path).then(
      (r) => r.children.length,
      () => 0,
    );
    if (count >= n) return;
    await sleep(10);
  }
  throw new Error(`timeout waiting for ${n} children of ${path}`);
}

export async function layout(args: Args): Promise<void> {
  const root = basePath('layout');
  const admin = await connectSession(args.connect!, 10_000);
  const ss = await Promise.all([0, 1, 2].map(() => connectSession(args.connect!, 10_000)));
  try {
    // Mutex: 1 holder + 2 waiters
    const lk = `${root}/lock`;
    const mutexes = ss.map((s, i) => new Mutex(s, lk, { data: `contender-${i}` }));
    const held = await mutexes[0]!.acquire();
    const waiters = mutexes.slice(1).map(async (m) => (await m.acquire()).release());
    await waitChildren(admin, lk, 3);
    await dump(admin, 'Mutex', '1 holder + 2 waiters (3 sessions, data contender-0..2)', lk);
    await held.release();
    await Promise.all(waiters);
    await Promise.all(mutexes.map((m) => m.settled()));
    await dump(admin, 'Mutex', 'after all released (before cleanup)', lk);

    // LeaderElection: 3 participants
    const ep = `${root}/election`;
    const elections = ss.map((s, i) => new LeaderElection(s, ep, { id: `participant-${i}` }));
    for (const e of elections) await e.start();
    const leader = await Promise.race(elections.map((e) => e.waitForLeadership()));
    await waitChildren(admin, ep, 3);
    await dump(admin, 'LeaderElection', `3 participants, leader: ${leader.participantId}`, ep);
    await Promise.all(elections.map((e) => e.close()));
    await dump(admin, 'LeaderElection', 'after all closed (before cleanup)', ep);

    // PriorityQueue: producer only (Curator's priority-queue example priorities)
    const qp = `${root}/priority-queue`;
    // Raw UTF-8 bytes, not the default JSON, so the framed data compares with Curator's.
    const utf8 = {
      serialize: (v: string) => Buffer.from(v),
      deserialize: (b: Uint8Array) => Buffer.from(b).toString(),
    };
    const q = new PriorityQueue<string>(ss[0]!, qp, { serializer: utf8 });
    for (const p of [5, 1, 50, 0, 99, 255, 1000, -1, -1000])
      await q.put(`item-prio${p}`, { priority: p });
    await dump(
      admin,
      'PriorityQueue',
      'producer only; put item-prio<p> with priorities 5,1,50,0,99,255,1000,-1,-1000',
      qp,
    );
    await q.close();

    // ServiceRegistry: 2 instances
    const dp = `${root}/discovery`;
    const registry = new ServiceRegistry(ss[0]!, dp);
    for (const i of [0, 1])
      await registry.register({
        name: 'bench-svc',
        id: `inst-${i}`,
        address: '127.0.0.1',
        port: 20000 + i,
      });
    await dump(
      admin,
      'ServiceRegistry',
      '2 instances of bench-svc registered (ids inst-0, inst-1)',
      dp,
    );
    await registry.close();
    await dump(admin, 'ServiceRegistry', 'after ServiceRegistry.close() (before cleanup)', dp);
  } finally {
    await Promise.all(ss.map((s) => closeQuietly(s)));
    await deleteTree(admin, root).catch((e) => log('cleanup:', e));
    await closeQuietly(admin);
  }
}
