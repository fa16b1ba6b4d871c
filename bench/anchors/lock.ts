/**
 * `lock --contenders C --cycles 2000 [--warmup 200]`: C sessions, each with its own Mutex, on ONE
 * lock path, in this one process. Each contender is an async loop that claims a ticket from a
 * shared counter and runs acquire -> release until `cycles` are done in total (after `warmup`
 * untimed cycles). ops/s = cycles/s; p50/p99 = acquire latency (call -> resolve). Mirrors w_lock
 * and contest() of python/bench.py.
 */

import { Mutex } from '../../src/recipes/mutex.js';
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
  ms,
  now,
  pct,
  seconds,
  sessionMs,
  transportArg,
} from './common.js';

interface Outcome {
  elapsedS: number;
  latencies: number[];
  perContender: number[];
  violations: number;
  timeouts: number;
  errors: number;
}

/** Shared across rounds: fencing tokens (czxids) must grow with every new holder. */
interface Order {
  lastToken: bigint;
}

async function contest(
  mutexes: readonly Mutex[],
  total: number,
  order: Order,
  acquireTimeoutMs: number,
): Promise<Outcome> {
  let claimed = 0;
  let inside = 0;
  const out: Outcome = {
    elapsedS: 0,
    latencies: [],
    perContender: mutexes.map(() => 0),
    violations: 0,
    timeouts: 0,
    errors: 0,
  };
  const body = async (i: number, mutex: Mutex) => {
    // Single-threaded claims: no guard needed, `claimed++` cannot interleave.
    while (++claimed <= total) {
      const t0 = now();
      let handle: Awaited<ReturnType<Mutex['acquire']>>;
      try {
        handle = await mutex.acquire({ timeoutMs: acquireTimeoutMs });
      } catch (err) {
        if (err instanceof DOMException && err.name === 'TimeoutError') {
          out.timeouts++;
          log(`contender ${i}: acquire timed out; engine:`, describe(mutex));
        } else {
          out.errors++;
          log(`contender ${i}:`, err);
        }
        continue;
      }
      out.latencies.push(ms(now() - t0));
      inside++;
      if (inside !== 1 || handle.signal.aborted || handle.fencingToken <= order.lastToken)
        out.violations++;
      order.lastToken = handle.fencingToken;
      // One turn of the event loop while "holding": in a single-threaded process two holders
      // can only overlap across a turn, so this lets a wrongly granted second acquire (already
      // read off a socket) resolve and be counted. It costs microseconds per cycle.
      await new Promise<void>((r) => setImmediate(r));
      inside--;
      try {
        await handle.release();
      } catch (err) {
        out.errors++;
        log(`contender ${i} release:`, err);
      }
      out.perContender[i] = (out.perContender[i] ?? 0) + 1;
    }
  };
  const t0 = now();
  await Promise.all(mutexes.map((m, i) => body(i, m)));
  out.elapsedS = seconds(now() - t0);
  return out;
}

/** The engine's state for a stuck contender (its `engine` getter is for debugging). */
function describe(mutex: Mutex): string {
  const { state, history } = mutex.engine;
  const big = (_k: string, v: unknown) => (typeof v === 'bigint' ? String(v) : v);
  return JSON.stringify({ state: state.kind, history: history.slice(-6) }, big);
}

export async function lock(args: Args): Promise<void> {
  const c = intArg(args, 'contenders', 4);
  const cycles = intArg(args, 'cycles', 2000);
  const warm = intArg(args, 'warmup', 200);
  const transport = transportArg(args);
  // Python's Lock.acquire(timeout=60); lower it to find a stuck waiter faster.
  const acquireTimeoutMs = intArg(args, 'acquire-timeout-ms', 60_000);
  const params = {
    contenders: c,
    cycles,
    warmup: warm,
    recipe: 'Mutex',
    sessions: 'one per contender, one process',
    transport,
  };
  const base = basePath('lock');
  const sessions: Session[] = [];
  const mutexes: Mutex[] = [];
  const setup = now();
  try {
    for (let i = 0; i < c; i++) {
      const s = await connectSession(args.connect!, sessionMs(args), transport);
      sessions.push(s);
      const m = new Mutex(s, `${base}/mutex`, { data: `c${i}` });
      m.on('error', (e) => log(`mutex ${i} error:`, e));
      mutexes.push(m);
    }
    log(`${c} sessions connected in ${ms(now() - setup).toFixed(1)} ms`);
    const order: Order = { lastToken: -1n };
    const w = await contest(mutexes, warm, order, acquireTimeoutMs);
    log(`warm-up: ${warm} cycles in ${w.elapsedS.toFixed(3)} s`);
    const r = await contest(mutexes, cycles, order, acquireTimeoutMs);
    log(`measured: ${cycles} cycles in ${r.elapsedS.toFixed(3)} s`);
    // The warm-up counts for `ok` too: a stuck waiter there would otherwise go unseen.
    const ok =
      r.violations + w.violations === 0 &&
      r.timeouts + w.timeouts === 0 &&
      r.errors + w.errors === 0 &&
      r.latencies.length === cycles;
    emit({
      lib: libLabel(args),
      workload: 'lock',
      params,
      opsPerS: cycles / r.elapsedS,
      p50: pct(r.latencies, 0.5),
      p99: pct(r.latencies, 0.99),
      ok,
      extra: {
        elapsed_s: r.elapsedS,
        mutual_exclusion_violations: r.violations,
        acquire_timeouts: r.timeouts,
        errors: r.errors,
        warmup_s: w.elapsedS,
        warmup_violations_timeouts_errors: [w.violations, w.timeouts, w.errors],
        per_contender_cycles_min: Math.min(...r.perContender),
        per_contender_cycles_max: Math.max(...r.perContender),
        p_metric: 'acquire latency',
      },
    });
  } finally {
    const t = now();
    await Promise.all(mutexes.map((m) => closeQuietly(m)));
    log(`mutexes closed in ${ms(now() - t).toFixed(1)} ms`);
    if (sessions[0] !== undefined)
      await deleteTree(sessions[0], base).catch((e) => log('cleanup:', e));
    await Promise.all(sessions.map((s) => closeQuietly(s)));
    log(`teardown took ${ms(now() - t).toFixed(1)} ms`);
  }
}
