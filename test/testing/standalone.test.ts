import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ZooKeeper from 'zookeeper';
import { fourLetterWord } from '../../src/testing/four-letter-word.js';
import {
  ClusterStoppedError,
  FourLetterWordError,
  startZooKeeper,
  type ZooKeeperCluster,
} from '../../src/testing/index.js';
import { connectClient, credentialsOf, eventually } from './native-client.js';

describe('local standalone server', () => {
  let zk: ZooKeeperCluster;
  let startMs: number;

  beforeAll(async () => {
    const started = Date.now();
    zk = await startZooKeeper({ provider: 'local' });
    startMs = Date.now() - started;
  });
  afterAll(() => zk?.stop());

  it('serves clients on a loopback port', async () => {
    console.log(`standalone server started in ${startMs} ms`);
    expect(zk.provider).toBe('local');
    expect(zk.servers).toHaveLength(1);
    expect(zk.connectString).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(zk.servers[0]?.connectString).toBe(zk.connectString);
    expect(await zk.fourLetterWord(0, 'ruok')).toBe('imok');
    expect(await zk.fourLetterWord(0, 'srvr')).toMatch(/^Mode: standalone$/m);
    expect(await zk.leaderIndex()).toBe(0);
  });

  it('maps a client-reported address to the server index', () => {
    const port = zk.servers[0]!.port;
    expect(zk.serverIndexOf(`127.0.0.1:${port}`)).toBe(0);
    expect(zk.serverIndexOf(`localhost:${port}`)).toBe(0);
    expect(zk.serverIndexOf(`127.0.0.1:${port + 1}`)).toBeUndefined();
    expect(zk.serverIndexOf('nonsense')).toBeUndefined();
  });

  it('rejects a server index it does not have', async () => {
    await expect(zk.stopServer(1)).rejects.toThrow(RangeError);
    await expect(zk.fourLetterWord(-1, 'ruok')).rejects.toThrow(RangeError);
  });

  it('keeps port, data and sessions across a restart', async () => {
    // A short session timeout: the C client waits about a third of it before reconnecting.
    const client = await connectClient(zk.connectString, 4_000);
    try {
      await client.create('/survivor', 'x', ZooKeeper.constants.ZOO_EPHEMERAL);
      const { port } = zk.servers[0]!;
      await zk.restartServer(0);
      expect(zk.servers[0]?.port).toBe(port);
      // The client reconnects by itself and finds its session, and so its ephemeral node, alive.
      const stat = await eventually(() => client.exists('/survivor', false));
      expect(BigInt(`0x${stat.ephemeralOwner}`)).toBe(credentialsOf(client).sessionId);
    } finally {
      client.close();
    }
  });

  it('stops a server with SIGKILL and starts it again', async () => {
    await zk.stopServer(0, { signal: 'SIGKILL' });
    await expect(zk.fourLetterWord(0, 'ruok')).rejects.toThrow(FourLetterWordError);
    expect(await zk.leaderIndex()).toBeUndefined();
    await zk.startServer(0);
    expect(await zk.fourLetterWord(0, 'ruok')).toBe('imok');
  });

  it('is stopped by await using', async () => {
    let port: number;
    {
      await using other = await startZooKeeper({ provider: 'local' });
      port = other.servers[0]!.port;
      expect(await other.fourLetterWord(0, 'ruok')).toBe('imok');
    }
    await expect(fourLetterWord('127.0.0.1', port, 'ruok')).rejects.toThrow(FourLetterWordError);
  });

  it('stops for good, idempotently', async () => {
    await Promise.all([zk.stop(), zk.stop()]);
    await zk.stop();
    await expect(zk.fourLetterWord(0, 'ruok')).rejects.toThrow(FourLetterWordError);
    await expect(zk.startServer(0)).rejects.toThrow(ClusterStoppedError);
  });
});
