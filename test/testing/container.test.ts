/**
 * The container provider against a real Docker engine. Runs only when one answers (see
 * scripts/container-test.sh to run it on a machine without Docker running); otherwise every test
 * is reported as skipped, with the reason in the suite name.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ZooKeeper from 'zookeeper';
import { probeDocker } from '../../src/testing/container-provider.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { connectClient, credentialsOf, eventually } from './native-client.js';

const noDocker = await probeDocker();
const suffix = noDocker === undefined ? '' : ` (skipped: ${noDocker})`;
if (noDocker !== undefined) {
  console.warn(`container provider tests skipped: ${noDocker}; see scripts/container-test.sh`);
}

// scripts/container-test.sh sets this: there, a Docker engine that does not answer is a failure.
it.runIf(noDocker !== undefined && process.env.ZOOKEEPER_REQUIRE_DOCKER === '1')(
  'has a Docker engine (ZOOKEEPER_REQUIRE_DOCKER=1)',
  () => {
    throw new Error(noDocker);
  },
);

describe.skipIf(noDocker !== undefined)(`container provider, standalone${suffix}`, () => {
  let zk: ZooKeeperCluster;

  beforeAll(async () => {
    const started = Date.now();
    zk = await startZooKeeper({ provider: 'container' });
    console.log(`container standalone started in ${Date.now() - started} ms`);
  }, 180_000);
  afterAll(() => zk?.stop());

  it('serves clients', async () => {
    expect(zk.provider).toBe('container');
    expect(zk.connectString).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await zk.fourLetterWord(0, 'ruok')).toBe('imok');
    expect(await zk.leaderIndex()).toBe(0);
  });

  it('keeps data and sessions across a restart', async () => {
    const client = await connectClient(zk.connectString, 4_000);
    try {
      await client.create('/survivor', 'x', ZooKeeper.constants.ZOO_EPHEMERAL);
      await zk.restartServer(0);
      const stat = await eventually(() => client.exists('/survivor', false));
      expect(BigInt(`0x${stat.ephemeralOwner}`)).toBe(credentialsOf(client).sessionId);
    } finally {
      client.close();
    }
  });

  it('stops a server with SIGKILL and starts it again', async () => {
    await zk.stopServer(0, { signal: 'SIGKILL' });
    expect(await zk.leaderIndex()).toBeUndefined();
    await zk.startServer(0);
    expect(await zk.fourLetterWord(0, 'ruok')).toBe('imok');
  });
});

describe.skipIf(noDocker !== undefined)(`container provider, ensemble${suffix}`, () => {
  let zk: ZooKeeperCluster;

  beforeAll(async () => {
    const started = Date.now();
    zk = await startZooKeeper({ provider: 'container', servers: 3 });
    console.log(`container ensemble of 3 started in ${Date.now() - started} ms`);
  }, 180_000);
  afterAll(() => zk?.stop());

  it('elects a new leader when the leader dies, and takes the old one back', async () => {
    expect(zk.servers).toHaveLength(3);
    const old = await zk.leaderIndex();
    expect(old).toBeDefined();
    await zk.stopServer(old!, { signal: 'SIGKILL' });
    const next = await eventually(async () => {
      const index = await zk.leaderIndex();
      if (index === undefined) throw new Error('no leader yet');
      return index;
    });
    expect(next).not.toBe(old);
    await zk.startServer(old!);
    expect(await zk.fourLetterWord(old!, 'srvr')).toMatch(/^Mode: follower$/m);
  });

  it('serves a client on the whole connect string', async () => {
    const client = await connectClient(zk.connectString);
    try {
      expect(await client.exists('/', false)).toBeTruthy();
    } finally {
      client.close();
    }
  });
});
