import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startZooKeeper,
  UnmanagedServerError,
  type ZooKeeperCluster,
} from '../../src/testing/index.js';

describe('external provider (ZOOKEEPER_CONNECT)', () => {
  let managed: ZooKeeperCluster;

  beforeAll(async () => {
    managed = await startZooKeeper({ provider: 'local' });
  });
  afterAll(() => managed?.stop());
  afterEach(() => vi.unstubAllEnvs());

  it('is what auto picks when ZOOKEEPER_CONNECT is set, and leaves the server alone', async () => {
    vi.stubEnv('ZOOKEEPER_CONNECT', `${managed.connectString}/chroot`);
    const zk = await startZooKeeper();
    expect(zk.provider).toBe('external');
    expect(zk.connectString).toBe(`${managed.connectString}/chroot`);
    expect(zk.servers).toEqual(managed.servers);
    expect(await zk.fourLetterWord(0, 'ruok')).toBe('imok');
    expect(await zk.leaderIndex()).toBe(0);
    await expect(zk.stopServer(0)).rejects.toThrow(UnmanagedServerError);
    await expect(zk.restartServer(0)).rejects.toThrow(UnmanagedServerError);
    await zk.stop();
    expect(await managed.fourLetterWord(0, 'ruok')).toBe('imok');
  });
});
