/**
 * The failover suite: one session on a 3-server ensemble survives repeated crashes of the
 * leader. Each round kills the leader with SIGKILL and starts it again while calls keep going.
 *
 * What must hold, every round: each call completes or fails with ConnectionLossError (nothing
 * else, and never hangs); a getData watch set before the crash fires for a change made after
 * it; the session id never changes and the session is never reported expired. Afterwards a new
 * transport in the same process still connects.
 *
 * Each round prints one line (states seen, calls ok/lost) so that a failing run shows how far
 * it got.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { ConnectionLossError } from '../../src/session/errors.js';
import type {
  Transport,
  TransportFactory,
  TransportState,
} from '../../src/session/transport/types.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import {
  bytes,
  PERSISTENT,
  sleep,
  TransportPool,
  uniquePath,
  WatchRecorder,
  waitForState,
} from './helpers.js';

export interface FailoverSuiteOptions {
  /** The implementation is known to fail this suite (the test is then `test.fails`). */
  expectFailure: boolean;
  /** Leader crashes in a row (default 5). */
  rounds?: number;
}

/**
 * Longer than the contract's 4 s: a leader election with 200 ms ticks takes 1-3 s here, and the
 * suite is about the client surviving it, not about the election racing the session timeout.
 */
const SESSION_TIMEOUT_MS = 8_000;
/** A call that has not settled after a whole session timeout hangs. */
const HANG_MS = SESSION_TIMEOUT_MS;
const ROUND_TIMEOUT_MS = 45_000;

interface LoadReport {
  ok: number;
  lost: number;
  /** Anything but success or ConnectionLossError, and calls that hung. */
  problems: string[];
}

/** Keeps one getData after another going until stopped. */
function startLoad(transport: Transport, path: string): { stop(): Promise<LoadReport> } {
  const report: LoadReport = { ok: 0, lost: 0, problems: [] };
  let running = true;
  const loop = (async () => {
    while (running) {
      const outcome = await Promise.race([
        transport.getData(path).then(
          () => 'ok' as const,
          (error: unknown) => error,
        ),
        sleep(HANG_MS).then(() => 'hang' as const),
      ]);
      if (outcome === 'ok') {
        report.ok += 1;
        continue;
      }
      if (outcome instanceof ConnectionLossError) report.lost += 1;
      else if (outcome === 'hang')
        report.problems.push(`getData did not settle within ${HANG_MS} ms`);
      else report.problems.push(`getData failed with ${String(outcome)}`);
      // Not connected: calls are refused at once, so pace the retries.
      await sleep(20);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return report;
    },
  };
}

/** A state and when it arrived. */
interface SeenState {
  state: TransportState;
  at: number;
}

function describeState({ state, at }: SeenState, since: number): string {
  const when = `${at - since}ms`;
  if (state.kind === 'closed' && state.error) return `closed(${state.error.message})@${when}`;
  return `${state.kind}@${when}`;
}

export function defineFailoverSuite(
  name: string,
  factory: TransportFactory,
  opts: FailoverSuiteOptions,
): void {
  const rounds = opts.rounds ?? 5;

  describe(`failover: ${name}`, () => {
    let cluster: ZooKeeperCluster | undefined;
    const pool = new TransportPool(factory);
    const zk = (): ZooKeeperCluster => {
      if (cluster === undefined) throw new Error('the ensemble is not started');
      return cluster;
    };

    beforeAll(async () => {
      cluster = await startZooKeeper({ servers: 3 });
    });
    afterEach(() => pool.closeAll());
    afterAll(() => cluster?.stop());

    const body = async (): Promise<void> => {
      const { transport, state: first } = await pool.connect(zk().connectString, {
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
      const states: SeenState[] = [];
      transport.onState((state) => states.push({ state, at: Date.now() }));
      const path = uniquePath('failover');
      await transport.create(path, bytes('0'), PERSISTENT);

      for (let round = 1; round <= rounds; round += 1) {
        let killedAt = Date.now();
        const seenFrom = states.length;
        let leader: number | undefined;
        let load: { stop(): Promise<LoadReport> } | undefined;
        let report: LoadReport | undefined;
        let outcome = 'failed';
        try {
          const recorder = new WatchRecorder();
          await transport.getData(path, recorder.watcher);
          leader = await zk().leaderIndex();
          if (leader === undefined) throw new Error('the ensemble has no leader');

          load = startLoad(transport, path);
          killedAt = Date.now();
          await zk().stopServer(leader, { signal: 'SIGKILL' });
          await zk().startServer(leader);
          const back = await waitForState(transport, 'connected', ROUND_TIMEOUT_MS);
          expect(back.sessionId).toBe(first.sessionId);

          const { transport: writer } = await pool.connect(zk().connectString, {
            sessionTimeoutMs: SESSION_TIMEOUT_MS,
          });
          await writer.setData(path, bytes(String(round)), -1);
          await writer.close();
          expect(await recorder.waitFor(1, ROUND_TIMEOUT_MS)).toEqual([
            { type: 'dataChanged', path },
          ]);

          report = await load.stop();
          expect(report.problems).toEqual([]);
          outcome = 'ok';
        } finally {
          report ??= await load?.stop();
          const seen = states.slice(seenFrom).map((s) => describeState(s, killedAt));
          console.info(
            `[failover ${name}] round ${round} ${outcome}: killed leader ${leader}; states since the kill: ${
              seen.join(' ') || 'none'
            }; calls ok=${report?.ok} lost=${report?.lost} problems=${JSON.stringify(report?.problems.slice(0, 3))}`,
          );
        }
      }

      expect(states.map((s) => s.state.kind)).not.toContain('expired');
      expect(states.map((s) => s.state.kind)).not.toContain('closed');
      for (const { state } of states) {
        if (state.kind === 'connected') expect(state.sessionId).toBe(first.sessionId);
      }
      const { transport: fresh } = await pool.connect(zk().connectString, {
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
      });
      expect(await fresh.exists(path)).not.toBeNull();
    };

    const title = `one session survives ${rounds} leader crashes (kill -9 and restart)`;
    const timeout = rounds * ROUND_TIMEOUT_MS + 30_000;
    if (opts.expectFailure) test.fails(title, body, timeout);
    else test(title, body, timeout);
  });
}
