/**
 * `raw --n 10000 --size 32 --set-n 1000 [--inflight K] [--warmup 2000]`: one session issues N
 * pipelined creates (all issued, then all awaited), N gets, N deletes; then `set-n` sequential
 * setData on one znode. ops/s = 2N / (create + get time); p50/p99 = the sequential setData
 * round-trip. Mirrors w_raw of python/bench.py.
 *
 * Extra parameters of ours, to put the library next to its round-trip limit in the same run:
 * - `--transport wire|native`: the Session on either transport (default wire);
 * - `--subject raw-binding`: the `zookeeper` binding with no library code (the baseline).
 * Those two label their line `ts-native` / `zk-binding` so that summarize.py, which keys raw rows
 * by (lib, N, size), keeps them apart from `ts`.
 */
import {
  type Args,
  basePath,
  bindingVersion,
  connectSession,
  deleteTree,
  emit,
  intArg,
  libLabel,
  log,
  ms,
  now,
  pct,
  seconds,
  sessionMs,
  transportArg,
  versions,
} from './common.js';
import { bindingClient, type Done, type RawClient, sessionClient } from './raw-clients.js';

type Op = 'create' | 'get' | 'delete';

/**
 * Issues `n` ops on prefix+i and resolves the error count once all completed. With `inflight`
 * > 0 at most that many are outstanding (python's semaphore); 0 means all at once.
 */
function pipe(
  client: RawClient,
  prefix: string,
  n: number,
  data: Buffer,
  op: Op,
  inflight: number,
): Promise<number> {
  return new Promise((resolve) => {
    let issued = 0;
    let left = n;
    let errors = 0;
    const window = inflight > 0 ? inflight : n;
    const done: Done = (ok) => {
      if (!ok) errors++;
      left--;
      if (left === 0) resolve(errors);
      else if (issued < n) issue();
    };
    const issue = () => {
      const p = prefix + String(issued++);
      if (op === 'create') client.create(p, data, done);
      else if (op === 'get') client.get(p, data.length, done);
      else client.remove(p, done);
    };
    if (n === 0) resolve(0);
    while (issued < Math.min(window, n)) issue();
  });
}

export async function raw(args: Args): Promise<void> {
  const n = intArg(args, 'n', 10_000);
  const size = intArg(args, 'size', 32);
  const setN = intArg(args, 'set-n', 1000);
  const warm = intArg(args, 'warmup', 2000);
  const inflight = intArg(args, 'inflight', 0);
  const subject = args.subject ?? 'session';
  if (subject !== 'session' && subject !== 'raw-binding')
    throw new Error(`--subject session|raw-binding, got ${subject}`);
  const transport = transportArg(args);
  const timeout = sessionMs(args);
  const label = subject === 'raw-binding' ? 'zk-binding' : libLabel(args);
  const params = {
    n,
    size,
    set_n: setN,
    inflight,
    warmup: warm,
    subject: subject === 'raw-binding' ? 'zookeeper binding a_* callbacks' : `Session/${transport}`,
  };
  const data = Buffer.alloc(size, 'x');
  const client =
    subject === 'raw-binding'
      ? await bindingClient(args.connect!, timeout)
      : await sessionClient(args.connect!, timeout, transport);
  const base = basePath('raw');
  try {
    await client.ensure(`${base}/w`);
    await client.ensure(`${base}/p`);
    for (const op of ['create', 'get', 'delete'] as const)
      await pipe(client, `${base}/w/n`, warm, data, op, inflight);
    const t0 = now();
    const e0 = await pipe(client, `${base}/p/n`, n, data, 'create', inflight);
    const t1 = now();
    const e1 = await pipe(client, `${base}/p/n`, n, data, 'get', inflight);
    const t2 = now();
    const e2 = await pipe(client, `${base}/p/n`, n, data, 'delete', inflight);
    const t3 = now();
    const sp = `${base}/s`;
    await client.ensure(sp);
    for (let i = 0; i < Math.min(200, setN); i++) await client.set(sp, data);
    const lat: number[] = [];
    const s0 = now();
    for (let i = 0; i < setN; i++) {
      const ts = now();
      await client.set(sp, data);
      lat.push(ms(now() - ts));
    }
    const s1 = now();
    const [cs, gs, ds] = [seconds(t1 - t0), seconds(t2 - t1), seconds(t3 - t2)];
    emit({
      lib: label,
      workload: 'raw',
      params,
      opsPerS: (2 * n) / (cs + gs),
      p50: pct(lat, 0.5),
      p99: pct(lat, 0.99),
      ok: e0 === 0 && e1 === 0 && e2 === 0,
      extra: {
        create_ops_per_s: n / cs,
        get_ops_per_s: n / gs,
        delete_ops_per_s: n / ds,
        set_seq_ops_per_s: setN / seconds(s1 - s0),
        errors: [e0, e1, e2],
        p_metric: 'sequential setData round-trip',
      },
      versions: versions(
        subject === 'raw-binding' || transport === 'native' ? { zookeeper: bindingVersion() } : {},
      ),
    });
  } finally {
    // Cleanup through a Session on the wire transport: the binding client has no recursive delete.
    const admin = await connectSession(args.connect!, timeout);
    await deleteTree(admin, base).catch((e) => log('cleanup:', e));
    await admin.close();
    await client.close();
  }
}
