/**
 * Real server-side expiry of a participant's session: a second client attaches with the
 * session's id + password and closes it (closeSession), as the contract says; t0 is read just
 * before that close().
 *
 * The attach-and-close runs on a bare wire transport in a worker thread (kill-worker.ts) while
 * this thread is blocked in Atomics.wait. Why block: while the killer attaches, the server drops
 * the victim's connection, and our Session reconnects at once (the Java client sleeps up to 1 s
 * before a reconnect, kazoo backs off too). When that reconnect races the killer's closeSession,
 * the victim can keep its session: in-process without blocking, 15 kills in 40 rounds failed so
 * (measured here). Blocked, the victim cannot reconnect until the session is gone (0 of 120).
 * src/testing's expireSession() blocks too, but in spawnSync for ~100 ms of process start-up.
 *
 * Cost: the other participants also wait for the killer's close reply (one round trip, well
 * under a millisecond locally) before they can read their watch trigger, so our failover times
 * are, if anything, slightly pessimistic.
 *
 * A kill that still failed (no new leader after 2 s, victim still on its session) is retried
 * and counted in `kill_retries`; the sample is then timed from the successful attempt's t0.
 */
import { Worker } from 'node:worker_threads';
import type { Session } from '../../src/session/session.js';
import { log } from './common.js';
import type { ElectedLog } from './elected-log.js';
import type { KillRequest } from './kill-worker.js';

const MAX_ATTEMPTS = 3;
/** Failover takes milliseconds; with no new leader after this long, look at the victim. */
const SUSPECT_AFTER_MS = 2_000;

export interface Kill {
  t0: bigint;
  /** When another participant was told it leads; undefined if none was in time. */
  t1: bigint | undefined;
  retries: number;
}

const ATTACH_TIMEOUT_MS = 10_000;

/** The worker thread that does the attach-and-close; start once, kill many times. */
export class Killer {
  readonly #worker: Worker;
  readonly #connect: string;
  readonly #timeoutMs: number;

  private constructor(worker: Worker, connect: string, timeoutMs: number) {
    this.#worker = worker;
    this.#connect = connect;
    this.#timeoutMs = timeoutMs;
  }

  static async start(connect: string, timeoutMs: number): Promise<Killer> {
    // Worker threads do not inherit tsx's loader: register it inside the worker first.
    const tsx = import.meta.resolve('tsx/esm/api');
    const body = new URL('./kill-worker.ts', import.meta.url).href;
    const worker = new Worker(
      `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(body)}); });`,
      { eval: true },
    );
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new Killer(worker, connect, timeoutMs);
  }

  /** Expires `victim`'s session on the server; returns t0 (just before the killer's close). */
  kill(victim: Session): bigint {
    const credentials = victim.credentials;
    if (credentials === undefined) throw new Error('victim is not connected');
    const shared = new SharedArrayBuffer(16);
    const status = new Int32Array(shared, 0, 1);
    const request: KillRequest = {
      connect: this.#connect,
      timeoutMs: this.#timeoutMs,
      sessionId: credentials.sessionId,
      password: new Uint8Array(credentials.password),
      shared,
    };
    this.#worker.postMessage(request);
    Atomics.wait(status, 0, 0, ATTACH_TIMEOUT_MS);
    const id = credentials.sessionId.toString(16);
    if (Atomics.load(status, 0) !== 1) throw new Error(`could not attach to session 0x${id}`);
    return new BigInt64Array(shared, 8, 1)[0]!;
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}

export async function killSession(
  killer: Killer,
  victim: Session,
  waitMs: number,
  elected: ElectedLog,
  victimPid: number,
): Promise<Kill> {
  const others = (t0: bigint) => (e: { pid: number; t: bigint }) =>
    e.pid !== victimPid && e.t >= t0;
  for (let attempt = 0; ; attempt++) {
    const sessionId = victim.sessionId;
    const t0 = killer.kill(victim);
    const t1 = await elected.next(others(t0), SUSPECT_AFTER_MS);
    if (t1 !== undefined) return { t0, t1, retries: attempt };
    // A `reconnected` alone proves nothing (the victim may get back just before the
    // closeSession lands and be expired anyway); still being on the same session, seconds
    // after the kill, does.
    const survived = victim.isConnected && victim.sessionId === sessionId;
    if (!survived || attempt + 1 >= MAX_ATTEMPTS)
      return {
        t0,
        t1: await elected.next(others(t0), waitMs - SUSPECT_AFTER_MS),
        retries: attempt,
      };
    log(`kill of session 0x${sessionId?.toString(16)} lost the race; again`);
  }
}
