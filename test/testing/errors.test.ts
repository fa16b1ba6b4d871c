import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  startZooKeeper,
  ZooKeeperStartError,
  ZooKeeperUnavailableError,
} from '../../src/testing/index.js';

describe('when no ZooKeeper can be had', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zk-harness-test-'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the setup command when ZOOKEEPER_HOME holds no ZooKeeper', async () => {
    vi.stubEnv('ZOOKEEPER_HOME', dir);
    const err = await startZooKeeper({ provider: 'local' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooKeeperUnavailableError);
    expect((err as Error).message).toContain(`ZOOKEEPER_HOME=${dir}`);
    expect((err as Error).message).toContain('bash scripts/setup.sh');
  });

  it('says so when ZOOKEEPER_CONNECT is not set for the external provider', async () => {
    vi.stubEnv('ZOOKEEPER_CONNECT', '');
    await expect(startZooKeeper({ provider: 'external' })).rejects.toThrow(
      /ZOOKEEPER_CONNECT is not set/,
    );
  });

  it('says so when no server answers at ZOOKEEPER_CONNECT', async () => {
    // Port 1 on loopback: nothing listens there without root.
    vi.stubEnv('ZOOKEEPER_CONNECT', '127.0.0.1:1');
    await expect(startZooKeeper()).rejects.toThrow(ZooKeeperUnavailableError);
  });

  it('reports a server that cannot start with the tail of its log', async () => {
    // A jar that is not one: found as an install, but the JVM cannot load the server class.
    mkdirSync(join(dir, 'lib'));
    writeFileSync(join(dir, 'lib', 'zookeeper-0.0.0.jar'), 'not a jar');
    vi.stubEnv('ZOOKEEPER_HOME', dir);
    const err = await startZooKeeper({ provider: 'local' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ZooKeeperStartError);
    expect((err as ZooKeeperStartError).serverIndex).toBe(0);
    expect((err as ZooKeeperStartError).logTail).toMatch(/QuorumPeerMain/);
    expect((err as Error).message).toMatch(/JVM exited/);
  });
});

describe('startZooKeeper options', () => {
  it('rejects a server count or tick it cannot run', async () => {
    // @ts-expect-error: 2 servers is not a supported shape
    await expect(startZooKeeper({ servers: 2 })).rejects.toThrow(RangeError);
    await expect(startZooKeeper({ tickTimeMs: 0 })).rejects.toThrow(RangeError);
  });
});
