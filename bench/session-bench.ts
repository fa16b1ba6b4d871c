/**
 * Session and transport throughput and latency against a real ZooKeeper, one JSON line per
 * measurement, with the raw `zookeeper` binding measured in the same run as the baseline.
 *
 *   npm run bench                                   # starts a throwaway server
 *   npm run bench -- --connect 127.0.0.1:2181 --n 10000 --seq 1000 --sessions 1,4
 *
 * Subjects: `raw-native` (the binding's own promise API, no library code), `session-native`
 * (Session over the native transport), `session-wire` (Session over the wire transport, the
 * default). Workloads per subject and session count:
 * - pipelined: N creates of 32-byte znodes issued at once (split over the sessions), awaited,
 *   then N gets, N sets, N deletes: ops/s per phase;
 * - sequential: 1000 getData and 1000 setData, one at a time on one session: p50/p99 in ms
 *   (nearest rank: sort, element ceil(q*n)).
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Session } from '../src/index.js';
import { startZooKeeper } from '../src/testing/index.js';

const { values } = parseArgs({
  options: {
    connect: { type: 'string' },
    n: { type: 'string', default: '10000' },
    seq: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '1,4' },
    subjects: { type: 'string', default: 'raw-native,session-native,session-wire' },
  },
});
const N = Number(values.n);
const SEQ = Number(values.seq);
const SESSION_COUNTS = values.sessions.split(',').map(Number);
const SUBJECTS = values.subjects.split(',');
const DATA = Buffer.alloc(32, 'x');

/** The few calls a subject needs, so that the raw binding and the Session run the same loop. */
interface Client {
  create(path: string): Promise<unknown>;
  get(path: string): Promise<unknown>;
  set(path: string): Promise<unknown>;
  remove(path: string): Promise<unknown>;
  close(): Promise<void>;
}

async function rawNative(connect: string): Promise<Client> {
  const ZooKeeper = createRequire(import.meta.url)('zookeeper');
  const zk = new ZooKeeper({
    connect,
    timeout: 10_000,
    debug_level: ZooKeeper.constants.ZOO_LOG_LEVEL_ERROR,
  });
  await new Promise<void>((resolve) => {
    zk.once('connect', resolve);
    zk.init({});
  });
  return {
    create: (p) => zk.create(p, DATA, ZooKeeper.constants.ZOO_PERSISTENT),
    get: (p) => zk.get(p, false),
    set: (p) => zk.set(p, DATA, -1),
    remove: (p) => zk.delete_(p, -1),
    close: async () => zk.close(),
  };
}

async function session(connect: string, transport: 'wire' | 'native'): Promise<Client> {
  const s = await Session.connect({ connectString: connect, transport, sessionTimeoutMs: 10_000 });
  return {
    create: (p) => s.create(p, DATA),
    get: (p) => s.getData(p),
    set: (p) => s.setData(p, DATA),
    remove: (p) => s.delete(p),
    close: () => s.close(),
  };
}

function open(subject: string, connect: string): Promise<Client> {
  if (subject === 'raw-native') return rawNative(connect);
  if (subject === 'session-native') return session(connect, 'native');
  if (subject === 'session-wire') return session(connect, 'wire');
  throw new Error(`unknown subject ${subject}`);
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function pipelined(clients: Client[], base: string, n: number) {
  const paths = Array.from({ length: n }, (_, i) => `${base}/n${i}`);
  const phase = (op: keyof Omit<Client, 'close'>) => () =>
    Promise.all(paths.map((p, i) => clients[i % clients.length]![op](p)));
  const ms = {
    create: await timed(phase('create')),
    get: await timed(phase('get')),
    set: await timed(phase('set')),
    delete: await timed(phase('remove')),
  };
  const perSecond = (t: number) => Math.round((n / t) * 1000);
  return {
    create_per_s: perSecond(ms.create),
    get_per_s: perSecond(ms.get),
    set_per_s: perSecond(ms.set),
    delete_per_s: perSecond(ms.delete),
    all_per_s: perSecond(ms.create + ms.get + ms.set + ms.delete) * 4,
  };
}

async function sequential(client: Client, path: string, n: number) {
  const result: Record<string, number> = {};
  for (const op of ['get', 'set'] as const) {
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(await timed(() => client[op](path)));
    times.sort((a, b) => a - b);
    result[`${op}_p50_ms`] = Number(percentile(times, 0.5).toFixed(3));
    result[`${op}_p99_ms`] = Number(percentile(times, 0.99).toFixed(3));
  }
  return result;
}

const cluster = values.connect ? undefined : await startZooKeeper();
const connect = values.connect ?? cluster!.connectString;
try {
  const admin = await Session.connect({ connectString: connect });
  for (const subject of SUBJECTS) {
    for (const count of SESSION_COUNTS) {
      const base = `/bench-${subject}-${count}-${Date.now().toString(16)}`;
      await admin.create(base);
      await admin.create(`${base}/seq`, DATA);
      const clients = await Promise.all(
        Array.from({ length: count }, () => open(subject, connect)),
      );
      await pipelined(clients, base, Math.min(2000, N)); // warm-up of the same code path
      const line = {
        bench: 'session',
        subject,
        sessions: count,
        n: N,
        ...(await pipelined(clients, base, N)),
        ...(count === 1 ? await sequential(clients[0]!, `${base}/seq`, SEQ) : {}),
      };
      console.log(JSON.stringify(line));
      await Promise.all(clients.map((c) => c.close()));
      await admin.delete(`${base}/seq`);
      await admin.delete(base);
    }
  }
  await admin.close();
} finally {
  await cluster?.stop();
}
