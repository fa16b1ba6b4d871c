/**
 * Mutex shares one lock with real Curator 5.4 InterProcessMutex (Debian jars): Java and Node
 * contenders on one path never hold at once (an ephemeral witness node each holder creates with
 * its own session shows a second holder), Java and Node read the same line of contenders and
 * wait for each other, and a holder whose session ends (a Java JVM killed with SIGKILL, a Node
 * session expired) lets the other language in. Also pinned: the one ordering difference found,
 * after the sequence counter wraps negative. The Java side is
 * test/interop/java/interop/MutexPeer.java, run through test/interop/java.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { lineOf } from '../../src/recipes/internal/contenders.js';
import type { LockHandle } from '../../src/recipes/lock-handle.js';
import { Mutex } from '../../src/recipes/mutex.js';
import { ZkError } from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';
import { expireSession, startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { connect, track } from '../recipes/cache/helpers.js';
import { compileInteropPeers, runJava } from './java.js';

/** Curator's protected lock node: `_c_` + lowercase UUID v4 + `-lock-` + 10-digit sequence. */
const LOCK_NODE =
  /^_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-lock-\d{10}$/;

/** Every holder creates it EPHEMERAL with its own session while it holds: a second one fails. */
const WITNESS = '/witness/holder';

let zk: ZooKeeperCluster;
let classpath: string;
let admin: Session;
beforeAll(async () => {
  [zk, classpath] = await Promise.all([startZooKeeper(), compileInteropPeers()]);
  admin = await Session.connect({ connectString: zk.connectString });
  await admin.ensurePath('/witness', { mode: 'persistent' });
}, 90_000);
afterAll(async () => {
  await admin?.close();
  await zk?.stop();
});

/** A MutexPeer with `clients` Curator clients (sessions) on `lockPath`, stopped after the test. */
async function javaContenders(lockPath: string, clients: number, sessionTimeoutMs = 4000) {
  const java = await runJava(
    'interop.MutexPeer',
    [zk.connectString, lockPath, String(sessionTimeoutMs), String(clients)],
    { classpath },
  );
  return track({ java, close: () => java.stop() }).java;
}

async function children(path: string): Promise<string[]> {
  return (await admin.getChildren(path)).children;
}

/** The contender nodes under `path` in the order Node's Mutex reads them. */
async function nodeOrder(path: string): Promise<string[]> {
  const line = await children(path);
  return line.sort((a, b) => sequenceOf(a) - sequenceOf(b)).map((name) => `${path}/${name}`);
}

function sequenceOf(name: string): number {
  return Number(name.slice(name.lastIndexOf('lock-') + 5));
}

/** Polls `predicate` until it holds; rejects after 20 s with `what`. */
async function until(predicate: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` acquire / witness / hold / release cycles of one Node contender with its own session. */
async function nodeCycles(
  session: Session,
  lockPath: string,
  name: string,
  count: number,
  holdMs: number,
): Promise<{ served: number; violations: string[] }> {
  const mutex = new Mutex(session, lockPath, { data: name });
  const violations: string[] = [];
  let served = 0;
  for (let n = 0; n < count; n++) {
    const lock = await mutex.acquire({ timeoutMs: 30_000 });
    let created = false;
    try {
      await session.create(WITNESS, name, { mode: 'ephemeral' });
      created = true;
    } catch (err) {
      if (!(err instanceof ZkError && err.code === 'NODEEXISTS')) throw err;
      const other = await session.getData(WITNESS).catch(() => undefined);
      violations.push(`${name} found ${other?.data.toString('utf8') ?? 'a holder that left'}`);
    }
    await sleep(Math.floor(Math.random() * (holdMs + 1)));
    // A lock lost while held would make the witness prove nothing: fail loudly instead.
    if (lock.signal.aborted)
      throw new Error(`${name} lost the lock: ${String(lock.signal.reason)}`);
    if (created) await session.delete(WITNESS);
    await lock.release();
    served++;
  }
  await mutex.close();
  return { served, violations };
}

describe('Mutex with Curator InterProcessMutex', () => {
  test('2 Java and 3 Node contenders, 100 cycles: never two holders, all served, nothing left', async () => {
    const lockPath = '/interop-locks/mutual';
    const java = await javaContenders(lockPath, 2);
    const sessions = await Promise.all([0, 1, 2].map(() => connect(zk.connectString)));

    // Both languages contend at once: 2 x 20 Java cycles and 3 x 20 Node cycles.
    const javaRun = java.request(`cycles count=20 holdMs=5 witness=${WITNESS}`, 55_000);
    const nodeRuns = Promise.all(
      sessions.map((session, i) => nodeCycles(session, lockPath, `node-${i}`, 20, 5)),
    );
    // Meanwhile, the names in the line, by language (Node's data is its name, Curator's the
    // local address): every one in Curator's layout.
    const seen = new Map<string, 'java' | 'node'>();
    let running = true;
    const sampling = (async () => {
      while (running) {
        for (const name of await children(lockPath).catch(() => [])) {
          if (seen.has(name)) continue;
          const node = await admin.getData(`${lockPath}/${name}`).catch(() => undefined);
          if (node !== undefined)
            seen.set(name, node.data.toString('utf8').startsWith('node-') ? 'node' : 'java');
        }
        await sleep(5);
      }
    })();
    const [javaResult, nodeResults] = await Promise.all([javaRun, nodeRuns]).finally(() => {
      running = false;
    });
    await sampling;

    expect(javaResult).toBe('served=20,20 violations=0');
    expect(nodeResults).toEqual([0, 1, 2].map(() => ({ served: 20, violations: [] })));
    expect(new Set(seen.values())).toEqual(new Set(['java', 'node']));
    for (const name of seen.keys()) expect(name).toMatch(LOCK_NODE);
    expect(await children(lockPath)).toEqual([]);
    await expect(admin.exists(WITNESS)).resolves.toBeNull();
  });

  test('hand-off both ways: Java and Node read one line, each waits for the other', async () => {
    const lockPath = '/interop-locks/handoff';
    const java = await javaContenders(lockPath, 2);
    const session = await connect(zk.connectString);
    const mutex = new Mutex(session, lockPath, { data: 'node-0' });

    // Java holds; its node is in Curator's layout (data: Curator's default, the local address).
    await java.request('acquire client=0');
    const [javaNode] = await children(lockPath);
    expect(javaNode).toMatch(LOCK_NODE);

    // A Node contender gets in line behind it, and Java's own reading puts it second too.
    let nodeLock: LockHandle | undefined;
    const nodeAcquire = mutex.acquire({ timeoutMs: 30_000 }).then((lock) => {
      nodeLock = lock;
      return lock;
    });
    await until(async () => (await children(lockPath)).length === 2, 'the Node contender in line');
    const line = await nodeOrder(lockPath);
    expect(line[0]).toBe(`${lockPath}/${javaNode}`);
    expect(line[1]?.slice(lockPath.length + 1)).toMatch(LOCK_NODE);
    expect(await java.request('participants')).toBe(line.join(','));
    expect(nodeLock).toBeUndefined(); // Java still holds

    // Java releases: the Node contender holds, on the node Java read second.
    await java.request('release client=0');
    const lock = await nodeAcquire;
    expect(lock.node).toBe(line[1]);

    // Now a second Java client waits behind Node (the request answers once Java holds).
    let javaHolds = false;
    const javaAcquire = java.request('acquire client=1', 30_000).then(() => {
      javaHolds = true;
    });
    await until(async () => (await children(lockPath)).length === 2, 'the Java contender in line');
    expect(javaHolds).toBe(false); // Node still holds
    const [, javaWaiter] = await nodeOrder(lockPath);
    expect(javaWaiter?.slice(lockPath.length + 1)).toMatch(LOCK_NODE);
    await lock.release();
    await javaAcquire;
    expect(await nodeOrder(lockPath)).toEqual([javaWaiter]);
    await java.request('release client=1');
    expect(await children(lockPath)).toEqual([]);
  });

  test('a Java holder killed with SIGKILL: a Node contender gets the lock once its session expires', async () => {
    const lockPath = '/interop-locks/killed';
    const java = await javaContenders(lockPath, 1, 2000);
    const session = await connect(zk.connectString);
    const mutex = new Mutex(session, lockPath, { data: 'node-0' });

    await java.request('acquire client=0');
    const [javaNode] = await children(lockPath);
    const nodeAcquire = mutex.acquire({ timeoutMs: 30_000 });
    await until(async () => (await children(lockPath)).length === 2, 'the Node contender in line');
    await java.kill();
    // No Curator code ran on the way out: the node stays until the server expires the session.
    expect(await children(lockPath)).toContain(javaNode);
    const lock = await nodeAcquire;
    expect(await nodeOrder(lockPath)).toEqual([lock.node]);
    await lock.release();
  });

  test('a Node holder whose session expires: the waiting Java contender gets the lock', async () => {
    const lockPath = '/interop-locks/expired';
    const java = await javaContenders(lockPath, 1);
    const session = await connect(zk.connectString);
    const lock = await new Mutex(session, lockPath, { data: 'node-0' }).acquire();

    let javaHolds = false;
    const javaAcquire = java.request('acquire client=0', 30_000).then(() => {
      javaHolds = true;
    });
    await until(async () => (await children(lockPath)).length === 2, 'the Java contender in line');
    expect(javaHolds).toBe(false);
    await expireSession(session);
    await javaAcquire;
    // The ex-holder is told (its signal aborts), and its node went with the session.
    await until(async () => lock.signal.aborted, 'the Node holder to be told');
    expect(await children(lockPath)).toHaveLength(1);
    await java.request('release client=0');
    expect(await children(lockPath)).toEqual([]);
  });

  /**
   * KNOWN INCOMPATIBILITY, pinned as it is today (once fixed: expect one line). After
   * ZooKeeper's sequence counter wraps negative, Curator orders `lock-` suffixes as strings
   * (negatives first and in reverse: `-2147483645` < `-2147483647`), Mutex as signed ints.
   * Below, nodes named as they would be once the counter wrapped, created oldest first: Curator
   * puts the newest first, Mutex the oldest negative one, so a Java and a Node contender could
   * both hold.
   */
  test('known incompatibility: after the sequence counter wraps, Java and Node read different lines', async () => {
    const lockPath = '/interop-locks/wrapped';
    const names = ['2147483645', '-2147483647', '-2147483645'].map(
      (seq) => `_c_${crypto.randomUUID()}-lock-${seq}`,
    );
    for (const name of names)
      await admin.create(`${lockPath}/${name}`, 'x', { createParents: true });
    const java = await javaContenders(lockPath, 1);
    const javaLine = await java.request('participants');
    // The order Mutex decides by (internal/contenders.ts, the line of its `lock-` driver).
    const nodeLine = lineOf(names, ['lock-']).map((n) => `${lockPath}/${n.name}`);
    const at = (i: number) => `${lockPath}/${names[i]}`;
    // Curator compares the digits as text: the newest negative number first. We keep issue order.
    expect(javaLine).toBe([at(2), at(1), at(0)].join(','));
    expect(nodeLine).toEqual([at(0), at(1), at(2)]);
  });
});
