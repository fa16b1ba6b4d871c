import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ZooKeeper from 'zookeeper';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { connectClient, eventually } from './native-client.js';

async function modes(zk: ZooKeeperCluster): Promise<(string | undefined)[]> {
  return Promise.all(
    zk.servers.map((s) =>
      zk.fourLetterWord(s.index, 'srvr').then(
        (answer) => /^Mode: (\w+)/m.exec(answer)?.[1],
        () => undefined,
      ),
    ),
  );
}

describe('local 3-server ensemble', () => {
  let zk: ZooKeeperCluster;
  let startMs: number;

  beforeAll(async () => {
    const started = Date.now();
    zk = await startZooKeeper({ servers: 3, provider: 'local' });
    startMs = Date.now() - started;
  });
  afterAll(() => zk?.stop());

  it('starts three members with one leader', async () => {
    console.log(`ensemble of 3 started in ${startMs} ms`);
    expect(zk.servers.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(new Set(zk.servers.map((s) => s.port)).size).toBe(3);
    expect(zk.connectString).toBe(zk.servers.map((s) => `127.0.0.1:${s.port}`).join(','));
    const leader = await zk.leaderIndex();
    expect(leader).toBeDefined();
    const expected = zk.servers.map((s) => (s.index === leader ? 'leader' : 'follower'));
    expect(await modes(zk)).toEqual(expected);
  });

  it('replicates writes to every member', async () => {
    const writer = await connectClient(zk.servers[0]!.connectString);
    const reader = await connectClient(zk.servers[2]!.connectString);
    try {
      await writer.create('/replicated', 'hello', ZooKeeper.constants.ZOO_PERSISTENT);
      await reader.sync('/replicated');
      const [, data] = await reader.get('/replicated', false);
      expect(String(data)).toBe('hello');
    } finally {
      writer.close();
      reader.close();
    }
  });

  it('elects a new leader when the leader dies, and takes the old one back as follower', async () => {
    const old = (await zk.leaderIndex())!;
    await zk.stopServer(old, { signal: 'SIGKILL' });
    const next = await eventually(async () => {
      const index = await zk.leaderIndex();
      if (index === undefined) throw new Error('no leader yet');
      return index;
    });
    expect(next).not.toBe(old);
    await zk.startServer(old);
    expect((await modes(zk))[old]).toBe('follower');
    expect(await zk.leaderIndex()).toBe(next);
  });

  it('serves a client on the whole connect string after a member restart', async () => {
    await zk.restartServer(0);
    const client = await connectClient(zk.connectString);
    try {
      expect(await client.exists('/replicated', false)).toBeTruthy();
    } finally {
      client.close();
    }
  });
});
