/**
 * A minimal client for the harness tests, on the `zookeeper` binding directly: the harness must
 * be testable before (and without) the library's own Session.
 */
import ZooKeeper from 'zookeeper';

export type NativeClient = InstanceType<typeof ZooKeeper>;

/** Connects and resolves once the session is established. */
export function connectClient(connect: string, sessionTimeoutMs = 10_000): Promise<NativeClient> {
  return new Promise((resolve, reject) => {
    const zk = new ZooKeeper({ connect, timeout: sessionTimeoutMs });
    const timer = setTimeout(() => {
      zk.close();
      reject(new Error(`no connection to ${connect} within 10 s`));
    }, 10_000);
    zk.once('connect', () => {
      clearTimeout(timer);
      // Resolve outside the binding's callback: a close() made there (even from a promise
      // continuation) is deferred by the C client until the callback returns.
      setImmediate(() => resolve(zk));
    });
    zk.init({});
  });
}

/** The session id and password of a connected client, in the shape `expireSession` takes. */
export function credentialsOf(zk: NativeClient): { sessionId: bigint; password: Buffer } {
  return {
    // The binding types client_id as a number, but it is the hex string of the id.
    sessionId: BigInt(`0x${String(zk.client_id)}`),
    password: Buffer.from(zk.client_password, 'hex'),
  };
}

/** Retries `op` until it succeeds (e.g. while the client reconnects), for at most `timeoutMs`. */
export async function eventually<T>(op: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
