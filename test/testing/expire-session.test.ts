import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ZooKeeper from 'zookeeper';
import {
  ExpireSessionError,
  expireSession,
  startZooKeeper,
  type ZooKeeperCluster,
} from '../../src/testing/index.js';
import { connectClient, credentialsOf, type NativeClient } from './native-client.js';

const EXPIRED = ZooKeeper.constants.ZOO_EXPIRED_SESSION_STATE;

/** Resolves the code of the victim's next 'close' event (-112 when its session expired). */
function nextClose(zk: NativeClient, timeoutMs = 10_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the victim never closed')), timeoutMs);
    zk.once('close', (_handle: unknown, code: number) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('expireSession', () => {
  let zk: ZooKeeperCluster;
  let observer: NativeClient;

  beforeAll(async () => {
    zk = await startZooKeeper({ provider: 'local' });
    observer = await connectClient(zk.connectString);
  });
  afterAll(async () => {
    observer?.close();
    await zk?.stop();
  });

  it('expires the session on the server: the victim sees -112 and its ephemeral node is gone', async () => {
    // Several rounds: the point of the child process is that it never loses the race.
    for (let round = 0; round < 10; round++) {
      const victim = await connectClient(zk.connectString, 4_000);
      const node = `/victim-${round}`;
      await victim.create(node, '', ZooKeeper.constants.ZOO_EPHEMERAL);
      const closed = nextClose(victim);
      await expireSession({ connectString: zk.connectString, credentials: credentialsOf(victim) });
      expect(await observer.pathExists(node, false)).toBe(false);
      expect(await closed).toBe(EXPIRED);
    }
  });

  it('rejects a session that is already gone', async () => {
    const victim = await connectClient(zk.connectString, 4_000);
    const credentials = credentialsOf(victim);
    victim.close();
    await expect(expireSession({ connectString: zk.connectString, credentials })).rejects.toThrow(
      /already expired, or the password is wrong/,
    );
  });

  it('rejects a session that never connected', async () => {
    await expect(
      expireSession({ connectString: zk.connectString, credentials: undefined }),
    ).rejects.toThrow(ExpireSessionError);
  });

  it('rejects with the reason when the server cannot be reached', async () => {
    const credentials = { sessionId: 0x1234n, password: Buffer.alloc(16) };
    const started = Date.now();
    const err = await expireSession(
      { connectString: '127.0.0.1:1', credentials },
      { timeoutMs: 1_000 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpireSessionError);
    expect((err as Error).message).toMatch(/no connection to 127\.0\.0\.1:1 within 1000 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
