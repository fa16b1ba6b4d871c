/**
 * `config-watch --watchers W --updates 50 --interval-ms 50`: W sessions each run a ConfigWatch
 * on one znode; a writer session does `setData("v=k")` every interval. Per version k: latency =
 * (the moment the LAST watcher has seen a version >= k) - (the writer's setData(k) returned).
 * Mirrors w_config_watch of python/bench.py (kazoo DataWatch).
 *
 * Also reported (ts only): heap bytes and ArrayBuffer bytes (outside the heap) per watcher
 * after setup (after a full GC, sessions included), and with `--shared-session` all W watchers
 * run on ONE session (a process that watches many config nodes), which measures the recipe
 * without the per-session cost.
 */
import { ConfigWatch } from '../../src/recipes/config-watch.js';
import type { Session } from '../../src/session/session.js';
import {
  type Args,
  basePath,
  closeQuietly,
  connectSession,
  deleteTree,
  emit,
  intArg,
  libLabel,
  log,
  memoryAfterGc,
  ms,
  now,
  pct,
  seconds,
  sessionMs,
  sleep,
  transportArg,
} from './common.js';

/** The version number of a `v=<k>` payload, or undefined for anything else. */
const parseVersion = (data: Buffer): number | undefined => {
  const s = data.toString('utf8');
  return s.startsWith('v=') ? Number(s.slice(2)) : undefined;
};

export async function configWatch(args: Args): Promise<void> {
  const w = intArg(args, 'watchers', 10);
  const u = intArg(args, 'updates', 50);
  const interval = intArg(args, 'interval-ms', 50);
  const timeoutMs = sessionMs(args);
  const transport = transportArg(args);
  const shared = args['shared-session'] !== undefined;
  const params = {
    watchers: w,
    updates: u,
    interval_ms: interval,
    impl: 'configwatch',
    recipe: 'ConfigWatch',
    transport,
    sessions: shared ? 'one, shared by all watchers' : 'one per watcher',
  };
  const base = basePath('config');
  const path = `${base}/config`;
  // seen[watcher][k]: when that watcher first saw version k (0n: never).
  const seen = Array.from({ length: w }, () => new Array<bigint>(u + 1).fill(0n));
  const writer = await connectSession(args.connect!, timeoutMs, transport);
  const sessions: Session[] = [];
  const watches: ConfigWatch<number | undefined>[] = [];
  const allSeen = (k: number) => seen.every((s) => s[k] !== 0n);
  const waitAll = async (k: number, timeoutS: number) => {
    const deadline = Date.now() + timeoutS * 1000;
    while (Date.now() < deadline) {
      if (allSeen(k)) return true;
      await sleep(5);
    }
    return allSeen(k);
  };
  try {
    await writer.create(path, 'v=0', { createParents: 'persistent' });
    const memory0 = memoryAfterGc();
    const s0 = now();
    for (let i = 0; i < w; i++) {
      const s =
        shared && sessions[0] !== undefined
          ? sessions[0]
          : await connectSession(args.connect!, timeoutMs, transport);
      if (s !== sessions[0]) sessions.push(s);
      const watch = new ConfigWatch<number | undefined>(s, path, { parse: parseVersion });
      watch.on('change', ({ current }) => {
        const t = now();
        const k = current?.value;
        if (k !== undefined && k >= 0 && k <= u && seen[i]![k] === 0n) seen[i]![k] = t;
      });
      watch.on('error', (e) => log(`watcher ${i}:`, e));
      watches.push(watch);
      await watch.start();
    }
    await waitAll(0, 30);
    const setupS = seconds(now() - s0);
    const memory = memoryAfterGc();
    const heapPerWatcher = Math.round((memory.heap - memory0.heap) / w);
    const buffersPerWatcher = Math.round((memory.buffers - memory0.buffers) / w);
    await sleep(200);
    const done = new Array<bigint>(u + 1).fill(0n);
    const w0 = now();
    for (let k = 1; k <= u; k++) {
      const target = w0 + BigInt((k - 1) * interval) * 1_000_000n;
      const d = target - now();
      if (d > 0n) await sleep(Number(d) / 1e6);
      await writer.setData(path, `v=${k}`);
      done[k] = now();
    }
    const allFinal = await waitAll(u, 10);
    const lat: number[] = [];
    let coalesced = 0;
    let unobserved = 0;
    const missedFinal = seen.filter((s) => s[u] === 0n).length;
    for (let k = 1; k <= u; k++) {
      let last = 0n;
      let complete = true;
      for (const s of seen) {
        // The first moment this watcher saw k or anything newer (0n: none of them).
        let first = 0n;
        for (let j = k; j <= u; j++) {
          const t = s[j] ?? 0n;
          if (t !== 0n && (first === 0n || t < first)) first = t;
        }
        if (first === 0n) {
          complete = false;
          continue;
        }
        if (s[k] === 0n) coalesced++;
        if (first > last) last = first;
      }
      if (complete) lat.push(ms(last - done[k]!));
      else unobserved++;
    }
    emit({
      lib: libLabel(args),
      workload: 'config-watch',
      params,
      opsPerS: null,
      p50: pct(lat, 0.5),
      p99: pct(lat, 0.99),
      ok: allFinal && missedFinal === 0,
      extra: {
        coalesced_versions: coalesced,
        watchers_missing_final: missedFinal,
        versions_not_seen_by_all: unobserved,
        setup_s: setupS,
        heap_bytes_per_watcher: heapPerWatcher,
        buffer_bytes_per_watcher: buffersPerWatcher,
        watch_mode: watches[0]?.watchMode,
        p_metric: 'setData returned -> last watcher observed >= that version',
      },
    });
  } finally {
    await Promise.all(watches.map((x) => closeQuietly(x)));
    await Promise.all(sessions.map((s) => closeQuietly(s)));
    await deleteTree(writer, base).catch((e) => log('cleanup:', e));
    await closeQuietly(writer);
  }
}
