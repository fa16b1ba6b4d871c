/**
 * The TypeScript side of the anchors benchmark harness (the CLI contract of
 * /work/shared/anchors/README.md):
 *
 *   node bench/anchors-bench.mjs WORKLOAD --connect 127.0.0.1:PORT [--param value ...]
 *
 * Prints exactly one JSON line on stdout; everything else goes to stderr. A workload that fails
 * still prints its line, with `"ok": false` and the error, so that run-all.sh records why.
 * Workloads without a recipe of ours yet print `"ok": false, "extra": {"skipped": ...}` rather
 * than nothing, so the table shows the gap honestly.
 */
import { type Args, emit, hasEmitted, log, parseArgs } from './common.js';
import { configWatch } from './config-watch.js';
import { discovery } from './discovery.js';
import { election } from './election.js';
import { layout } from './layout.js';
import { lock } from './lock.js';
import { queue } from './queue.js';
import { raw } from './raw.js';

const WORKLOADS: Record<string, (args: Args) => Promise<void>> = {
  raw,
  lock,
  election,
  'config-watch': configWatch,
  queue,
  discovery,
  layout,
};

/** Workloads of the harness that have no recipe in this library yet (none at the moment). */
const NOT_IMPLEMENTED: readonly string[] = [];

async function main(argv: readonly string[]): Promise<number> {
  const [workload, ...rest] = argv;
  const run = workload === undefined ? undefined : WORKLOADS[workload];
  if (workload === undefined || (run === undefined && !NOT_IMPLEMENTED.includes(workload))) {
    log(`usage: anchors-bench.mjs ${Object.keys(WORKLOADS).join('|')} --connect HOST:PORT ...`);
    return 2;
  }
  const args = parseArgs(rest);
  if (run === undefined) {
    emit({
      workload,
      params: {},
      opsPerS: null,
      p50: null,
      p99: null,
      ok: false,
      extra: { skipped: 'not implemented' },
    });
    return 0;
  }
  try {
    await run(args);
    return 0;
  } catch (err) {
    log(`${workload} failed:`, err);
    if (!hasEmitted())
      emit({
        workload,
        params: {},
        opsPerS: null,
        p50: null,
        p99: null,
        ok: false,
        extra: { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) },
      });
    return 1;
  }
}

// Exit explicitly: a recipe's background retry or a closing socket must not hold the process
// (the harness's own runners do the same, e.g. os._exit in bench.py).
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    log(err);
    process.exit(1);
  },
);
