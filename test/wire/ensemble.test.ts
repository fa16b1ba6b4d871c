/**
 * The wire transport against a 3-server ensemble: when the client's server goes away, the client
 * moves to another server with the same session and re-registers its watches (SetWatches and
 * SetWatches2), and one-time watches fire for changes made while it was disconnected.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Transport, TransportState } from '../../src/session/transport/types.js';
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import {
  bytes,
  PERSISTENT,
  uniquePath,
  WatchRecorder,
  waitForState,
} from '../transport-contract/helpers.js';
import { changeFromChildSync } from './helpers.js';

let zk: ZooKeeperCluster;
const open: Transport[] = [];

beforeAll(async () => {
  zk = await startZooKeeper({ servers: 3 });
});
afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await zk?.stop();
});

async function connect(): Promise<{
  transport: Transport;
  state: Extract<TransportState, { kind: 'connected' }>;
}> {
  const transport = wireTransport({ connectString: zk.connectString, sessionTimeoutMs: 15_000 });
  open.push(transport);
  return { transport, state: await waitForState(transport, 'connected') };
}

/** Stops the client's server and, while the client is disconnected, runs `duringDisconnect`. */
async function moveClient(
  transport: Transport,
  state: Extract<TransportState, { kind: 'connected' }>,
  duringDisconnect: (otherServer: string) => void,
): Promise<{ stopped: number; after: Extract<TransportState, { kind: 'connected' }> }> {
  const stopped = zk.serverIndexOf(state.server!)!;
  expect(stopped).toBeGreaterThanOrEqual(0);
  const other = zk.servers.find((s) => s.index !== stopped)!.connectString;
  let ran = false;
  const off = transport.onState((s) => {
    if (s.kind !== 'disconnected' || ran) return;
    ran = true;
    duringDisconnect(other);
  });
  const reconnected = new Promise<Extract<TransportState, { kind: 'connected' }>>((resolve) => {
    const offConnected = transport.onState((s) => {
      if (s.kind === 'connected') {
        offConnected();
        resolve(s);
      }
    });
  });
  await zk.stopServer(stopped, { signal: 'SIGKILL' });
  const after = await reconnected;
  off();
  expect(ran).toBe(true);
  return { stopped, after };
}

test('one-time watches set before a disconnect fire for changes made during it (SetWatches)', async () => {
  const { transport, state } = await connect();
  const base = uniquePath('setwatches');
  await transport.create(base, bytes(''), PERSISTENT);
  await transport.create(`${base}/data`, bytes(''), PERSISTENT);
  await transport.create(`${base}/parent`, bytes(''), PERSISTENT);
  const data = new WatchRecorder();
  const exist = new WatchRecorder();
  const child = new WatchRecorder();
  await transport.getData(`${base}/data`, data.watcher);
  expect(await transport.exists(`${base}/missing`, exist.watcher)).toBeNull();
  await transport.getChildren(`${base}/parent`, child.watcher);

  const { stopped, after } = await moveClient(transport, state, (other) =>
    changeFromChildSync(other, [
      { op: 'setData', path: `${base}/data`, data: 'changed' },
      { op: 'create', path: `${base}/missing` },
      { op: 'create', path: `${base}/parent/c` },
    ]),
  );
  try {
    expect(after.sessionId).toBe(state.sessionId);
    expect(after.server).not.toBe(state.server);
    expect(await data.waitFor(1)).toEqual([{ type: 'dataChanged', path: `${base}/data` }]);
    expect(await exist.waitFor(1)).toEqual([{ type: 'created', path: `${base}/missing` }]);
    expect(await child.waitFor(1)).toEqual([{ type: 'childrenChanged', path: `${base}/parent` }]);
    expect((await transport.getData(`${base}/data`)).data.toString()).toBe('changed');
  } finally {
    await zk.startServer(stopped);
  }
});

test('a persistent-recursive watch survives a move to another server (SetWatches2)', async () => {
  const { transport, state } = await connect();
  const base = uniquePath('recursive');
  await transport.create(base, bytes(''), PERSISTENT);
  await transport.create(`${base}/a`, bytes(''), PERSISTENT);
  await transport.create(`${base}/a/b`, bytes(''), PERSISTENT);
  const recursive = new WatchRecorder();
  const dataWatch = new WatchRecorder();
  await transport.addWatch(base, 'persistentRecursive', recursive.watcher);
  await transport.getData(`${base}/a`, dataWatch.watcher);
  await transport.create(`${base}/a/b/c`, bytes(''), PERSISTENT);
  expect(await recursive.waitFor(1)).toEqual([{ type: 'created', path: `${base}/a/b/c` }]);

  const { stopped } = await moveClient(transport, state, (other) =>
    changeFromChildSync(other, [{ op: 'setData', path: `${base}/a`, data: 'x' }]),
  );
  try {
    // The one-time watch catches up on the change made while disconnected...
    expect(await dataWatch.waitFor(1)).toEqual([{ type: 'dataChanged', path: `${base}/a` }]);
    // ...and the recursive watch is armed on the new server: deep changes keep arriving.
    await transport.setData(`${base}/a/b/c`, bytes('1'), -1);
    await transport.delete(`${base}/a/b/c`, -1);
    const events = await recursive.waitFor(3);
    expect(events.slice(-2)).toEqual([
      { type: 'dataChanged', path: `${base}/a/b/c` },
      { type: 'deleted', path: `${base}/a/b/c` },
    ]);
  } finally {
    await zk.startServer(stopped);
  }
});
