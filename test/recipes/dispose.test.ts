/** `await using` closes every recipe: what it holds in ZooKeeper is gone when the block ends. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import {
  ConfigWatch,
  GroupMembership,
  Mutex,
  PersistentNode,
  ServiceRegistry,
  Session,
} from '../../src/index.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';

let zk: ZooKeeperCluster;
let session: Session;
beforeAll(async () => {
  zk = await startZooKeeper();
  session = await Session.connect({ connectString: zk.connectString });
});
afterAll(async () => {
  await session?.close();
  await zk?.stop();
});

test('a recipe left by `await using` has released what it held', async () => {
  {
    await using mutex = new Mutex(session, '/dispose/lock');
    await mutex.acquire();
    await using group = new GroupMembership(session, '/dispose/group', { memberId: 'm1' });
    await group.join('x');
    await using registry = new ServiceRegistry(session, '/dispose/services');
    await registry.register({ name: 'www', id: 'w1', address: '127.0.0.1', port: 80 });
    await using node = new PersistentNode(session, '/dispose/node', 'x');
    await node.start();
    await using config = new ConfigWatch(session, '/dispose/group');
    await config.start();
    expect((await session.getChildren('/dispose/lock')).children).toHaveLength(1);
  }
  expect((await session.getChildren('/dispose/lock')).children).toEqual([]);
  expect((await session.getChildren('/dispose/group')).children).toEqual([]);
  expect(await session.exists('/dispose/services/www/w1')).toBeNull();
  expect(await session.exists('/dispose/node')).toBeNull();
});
