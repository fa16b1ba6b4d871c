/**
 * The known defect of the native transport, kept as an expected failure: a long-lived child
 * process spawned by the application while a native handle is connected inherits the C client's
 * socket (the client opens it without close-on-exec). When the server goes away, that socket's
 * epoll registration outlives the client's close, keeps reporting "readable" under the fd
 * number the client reuses for its next socket, and after ten empty reads the binding closes
 * the handle with -112: a false session expiry, although the session lives on the server.
 * The wire transport has no such failure (its sockets belong to Node, which sets
 * close-on-exec). If this test starts passing, the binding was fixed: flip `test.fails`.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { nativeTransport } from '../../src/session/transport/native/index.js';
import type { TransportFactory } from '../../src/session/transport/types.js';
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { useZooKeeper } from '../support/zookeeper.js';
import { TransportPool, waitForState } from '../transport-contract/helpers.js';

const zk = useZooKeeper();

/** Connect, spawn a child that outlives a server restart, restart: the session must resume. */
async function survivesRestartWithChild(factory: TransportFactory): Promise<void> {
  const pool = new TransportPool(factory);
  const child = spawn('sleep', ['30'], { stdio: 'ignore' }); // inherits every fd without close-on-exec
  try {
    const { transport, state } = await pool.connect(zk.connectString, { sessionTimeoutMs: 10_000 });
    const respawned = spawn('sleep', ['30'], { stdio: 'ignore' }); // spawned while the handle is connected
    try {
      await zk.stopServer(0, { signal: 'SIGKILL' });
      await waitForState(transport, 'disconnected');
      await zk.startServer(0);
      const back = await waitForState(transport, 'connected', 20_000);
      expect(back.sessionId).toBe(state.sessionId);
    } finally {
      respawned.kill('SIGKILL');
    }
  } finally {
    child.kill('SIGKILL');
    await pool.closeAll();
  }
}

describe('a child process that inherits the client socket', () => {
  test('wire: the session resumes after a server restart', () =>
    survivesRestartWithChild(wireTransport));
  test.fails('native (known defect): false session expiry', () =>
    survivesRestartWithChild(nativeTransport));
});
