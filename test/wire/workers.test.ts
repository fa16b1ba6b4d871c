/**
 * Four worker threads, each with its own wire-transport session, at once. (The native binding
 * crashes in worker threads; the wire transport is plain JavaScript over node:net.)
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { uniquePath } from '../transport-contract/helpers.js';

const WORKER = new URL('./fixtures/worker-session.mjs', import.meta.url);
const COUNT = 200;

interface WorkerResult {
  sessionId: string;
  created: number;
  values: string[];
  ownedByMe: boolean;
}

let zk: ZooKeeperCluster;
beforeAll(async () => {
  zk = await startZooKeeper();
});
afterAll(() => zk?.stop());

function runWorker(base: string): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, {
      workerData: { connectString: zk.connectString, base, count: COUNT },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`worker exited with code ${code}`));
    });
  });
}

test('4 worker threads, each with its own session, work at once', async () => {
  const bases = Array.from({ length: 4 }, (_, i) => uniquePath(`worker-${i}`));
  const results = await Promise.all(bases.map(runWorker));
  expect(new Set(results.map((r) => r.sessionId)).size).toBe(4);
  for (const r of results) {
    expect(r.created).toBe(COUNT);
    expect(r.values).toEqual(Array.from({ length: COUNT }, (_, i) => String(i)));
    expect(r.ownedByMe).toBe(true);
  }
});
