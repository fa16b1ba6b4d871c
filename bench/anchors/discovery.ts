/**
 * `discovery --instances 100 --rounds 5 --lookup-ms 2000`: a registrar session's
 * ServiceRegistry registers the instances one after another; an observer session has a started
 * ServiceLocator (roundRobin, Curator's ServiceCache + ServiceProvider). Per round: the time
 * until the locator lists all of them (`all_visible_ms`), then unregister all. Then
 * `getInstance()` in a loop for `lookup-ms`. Mirrors w_discovery of python/bench.py.
 * ops/s = lookups/s; p50/p99 = register returned -> the locator's `change` listed the instance.
 */
import { ServiceLocator } from '../../src/recipes/service-locator.js';
import { ServiceRegistry } from '../../src/recipes/service-registry.js';
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
  ms,
  now,
  pct,
  round3,
  seconds,
  sessionMs,
  sleep,
  transportArg,
} from './common.js';

/** Polls `done` every 5 ms (the Python harness waits on a condition with a timeout). */
async function until(done: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await sleep(5);
  return done();
}

export async function discovery(args: Args): Promise<void> {
  const count = intArg(args, 'instances', 100);
  const rounds = intArg(args, 'rounds', 5);
  const lookupMs = intArg(args, 'lookup-ms', 2000);
  const timeoutMs = sessionMs(args);
  const transport = transportArg(args);
  const svc = args.service ?? 'bench-svc';
  const params = {
    instances: count,
    rounds,
    lookup_ms: lookupMs,
    recipe: 'ServiceRegistry + ServiceLocator(roundRobin)',
    transport,
  };
  const base = basePath('discovery');
  const registrar = await connectSession(args.connect!, timeoutMs, transport);
  const observer = await connectSession(args.connect!, timeoutMs, transport);
  const registry = new ServiceRegistry(registrar, base);
  const locator = new ServiceLocator(observer, base, svc);
  const seenAt = new Map<string, bigint>();
  locator.on('change', ({ added, updated }) => {
    const t = now();
    for (const inst of [...added, ...updated]) if (!seenAt.has(inst.id)) seenAt.set(inst.id, t);
  });
  locator.on('error', (e) => log('locator:', e));
  try {
    await locator.start();
    const vis: number[] = [];
    const allVisible: number[] = [];
    let ok = true;
    for (let r = 0; r < rounds; r++) {
      seenAt.clear();
      const done = new Map<string, bigint>();
      const t0 = now();
      for (let i = 0; i < count; i++) {
        const id = `r${r}-i${i}`;
        await registry.register({ name: svc, id, address: '127.0.0.1', port: 20000 + i });
        done.set(id, now());
      }
      if (!(await until(() => locator.all().length >= count && seenAt.size >= count, 30_000))) {
        ok = false;
        break;
      }
      let lastSeen = 0n;
      for (const [id, td] of done) {
        const ts = seenAt.get(id);
        if (ts === undefined) continue;
        vis.push(ms(ts - td));
        if (ts > lastSeen) lastSeen = ts;
      }
      allVisible.push(ms(lastSeen - t0));
      if (r < rounds - 1) {
        for (const id of done.keys()) await registry.unregister(id);
        await until(() => locator.all().length === 0, 30_000);
      }
    }
    const providerSize = locator.all().length;
    const warmEnd = now() + 300_000_000n;
    while (now() < warmEnd) locator.getInstance();
    const distinct = new Set<string>();
    let lookups = 0;
    const l0 = now();
    const lEnd = l0 + BigInt(lookupMs) * 1_000_000n;
    for (;;) {
      for (let k = 0; k < 1000; k++) {
        const inst = locator.getInstance();
        if (lookups < 2 * count && inst !== undefined) distinct.add(inst.id);
        lookups++;
      }
      if (now() >= lEnd) break;
    }
    const lookupS = seconds(now() - l0);
    emit({
      lib: libLabel(args),
      workload: 'discovery',
      params,
      opsPerS: lookups / lookupS,
      p50: pct(vis, 0.5),
      p99: pct(vis, 0.99),
      ok: ok && providerSize === count && distinct.size === count,
      extra: {
        all_visible_ms_median: pct(allVisible, 0.5),
        all_visible_ms: allVisible.map(round3),
        provider_instances: providerSize,
        round_robin_distinct_in_2I: distinct.size,
        p_metric: "register returned -> ServiceLocator's change listed the instance",
      },
    });
  } finally {
    await closeQuietly(locator);
    await closeQuietly(registry);
    await deleteTree(observer, base).catch((e) => log('cleanup:', e));
    await closeQuietly(registrar);
    await closeQuietly(observer);
  }
}
