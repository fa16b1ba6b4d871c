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
  return forwardTo(() => cluster, 'the ZooKeeper of this test file');
}

/**
 * An object that stands for what `current()` returns once a `beforeAll` has made it: property
 * reads (and method calls) go to that object, so tests need no `let` and no `!`.
 */
export function forwardTo<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, property) {
      const target = current();
      if (target === undefined) throw new Error(`${what} is not started yet`);
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
