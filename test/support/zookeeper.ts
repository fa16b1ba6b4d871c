/**
 * One real ZooKeeper per test file: `const zk = useZooKeeper()` starts it before the file's
 * tests and stops it after them. `zk` stands for the cluster once started (a forwarding proxy,
 * so tests write `zk.connectString` and `zk.stopServer(0)` as on the cluster itself).
 */
import { afterAll, beforeAll } from 'vitest';
import {
  type StartZooKeeperOptions,
  startZooKeeper,
  type ZooKeeperCluster,
} from '../../src/testing/index.js';

export function useZooKeeper(options?: StartZooKeeperOptions): ZooKeeperCluster {
  let cluster: ZooKeeperCluster | undefined;
  beforeAll(async () => {
    cluster = await startZooKeeper(options);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return new Proxy({} as ZooKeeperCluster, {
    get(_, property) {
      if (cluster === undefined)
        throw new Error('the ZooKeeper of this test file is not started yet');
      const value = Reflect.get(cluster, property, cluster);
      return typeof value === 'function' ? value.bind(cluster) : value;
    },
  });
}
