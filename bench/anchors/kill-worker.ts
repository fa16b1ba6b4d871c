/**
 * The killer's side of killer.ts, run in a worker thread: attach to a session with its id and
 * password on a bare wire transport, record t0, close it (closeSession), then wake the main
 * thread, which is blocked in Atomics.wait meanwhile (see killer.ts for why).
 *
 * Shared memory: Int32 at byte 0 is the status (0 pending, 1 closed, 2 failed), BigInt64 at
 * byte 8 is t0 (process.hrtime.bigint(): one CLOCK_MONOTONIC for all threads).
 */
import { parentPort } from 'node:worker_threads';
import { wireTransport } from '../../src/session/transport/wire/index.js';

export interface KillRequest {
  connect: string;
  timeoutMs: number;
  sessionId: bigint;
  password: Uint8Array;
  shared: SharedArrayBuffer;
}

function kill(req: KillRequest): void {
  const status = new Int32Array(req.shared, 0, 1);
  const t0 = new BigInt64Array(req.shared, 8, 1);
  const finish = (code: 1 | 2) => {
    Atomics.store(status, 0, code);
    Atomics.notify(status, 0);
  };
  const killer = wireTransport({
    connectString: req.connect,
    sessionTimeoutMs: req.timeoutMs,
    session: { sessionId: req.sessionId, password: Buffer.from(req.password) },
  });
  const off = killer.onState((state) => {
    if (state.kind === 'connected') {
      off();
      t0[0] = process.hrtime.bigint();
      // The reply comes after the server has ended the session (ephemerals deleted, watches
      // fired), so the main thread wakes into a world where the failover is under way.
      killer.close().then(
        () => finish(1),
        () => finish(1),
      );
    } else if (state.kind === 'expired' || state.kind === 'closed') {
      off();
      finish(2);
    }
  });
}

parentPort?.on('message', (req: KillRequest) => kill(req));
parentPort?.postMessage('ready');
