/**
 * LeaderElection shares one election with real Curator 5.4 LeaderLatch (Debian jars): Java and
 * Node participants on one path have one leader between them, hand leadership on in line order
 * across languages when the leader leaves (closes, is killed, or its session expires), and read
 * the same participants (ids from node data). Also pinned: the one ordering difference found,
 * after the sequence counter wraps negative. The Java side is
 * test/interop/java/interop/LatchPeer.java, run through test/interop/java.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { LeaderElection } from '../../src/recipes/leader-election.js';
import { ZkError } from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';
import { expireSession, startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { connect, track } from '../recipes/cache/helpers.js';
import { compileInteropPeers, type JavaProcess, runJava } from './java.js';

/** LeaderLatch's protected node: `_c_` + lowercase UUID v4 + `-latch-` + 10-digit sequence. */
const LATCH_NODE =
  /^_c_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-latch-\d{10}$/;

let zk: ZooKeeperCluster;
let classpath: string;
let admin: Session;
beforeAll(async () => {
  [zk, classpath] = await Promise.all([startZooKeeper(), compileInteropPeers()]);
  admin = await Session.connect({ connectString: zk.connectString });
}, 90_000);
afterAll(async () => {
  await admin?.close();
  await zk?.stop();
});

/** A LatchPeer on `path` (participants join with `start id=...`), stopped after the test. */
async function javaPeer(path: string, sessionTimeoutMs = 4000): Promise<JavaProcess> {
  const java = await runJava(
    'interop.LatchPeer',
    [zk.connectString, path, String(sessionTimeoutMs)],
    {
      classpath,
    },
  );
  return track({ java, close: () => java.stop() }).java;
}

/** Node participants with their own sessions; every `elected`/`revoked` goes to `timeline`. */
async function nodeParticipant(path: string, id: string, timeline: string[]) {
  const session = await connect(zk.connectString);
  const election = track(new LeaderElection(session, path, { id }));
  election.on('elected', () => timeline.push(`${id}:elected`));
  election.on('revoked', () => timeline.push(`${id}:revoked`));
  return { election, session };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `predicate` until it holds; rejects after 20 s with `what`. */
async function until(predicate: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The election's children; none before the path exists (Java creates it in the background). */
async function children(path: string): Promise<string[]> {
  try {
    return (await admin.getChildren(path)).children;
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return [];
    throw err;
  }
}

describe('LeaderElection with Curator LeaderLatch', () => {
  test('2 Java and 3 Node participants: one leader at a time, handed on in line order across languages', async () => {
    const path = '/interop-election/mixed';
    const java = await javaPeer(path);
    const timeline: string[] = [];
    const nodes = new Map<string, LeaderElection>();
    // Never started: reads the participants as any Node process would.
    const observer = new LeaderElection(admin, path, { id: 'observer' });

    // Join alternately, one after the other, so the line is this order.
    const order = ['java-0', 'node-0', 'java-1', 'node-1', 'node-2'];
    for (const [i, id] of order.entries()) {
      if (id.startsWith('java')) await java.request(`start id=${id}`);
      else {
        const { election } = await nodeParticipant(path, id, timeline);
        nodes.set(id, election);
        await election.start();
      }
      await until(async () => (await children(path)).length === i + 1, `${id} in line`);
    }

    // Both languages' nodes: Curator's layout, data = the participant id.
    const names = await children(path);
    for (const name of names) expect(name).toMatch(LATCH_NODE);
    const ids = await Promise.all(
      names.map(async (n) => (await admin.getData(`${path}/${n}`)).data.toString('utf8')),
    );
    expect(ids.sort()).toEqual([...order].sort());
    expect(await java.request('path id=java-0')).toMatch(
      new RegExp(`^${path}/_c_.*-latch-\\d{10}$`),
    );

    /**
     * Leaders now, from both sides: Java's hasLeadership() and Node's isLeader. Sampled only
     * between our own steps (a Java close answers after its latch gave up leadership), so a
     * second leader in a sample is a real one.
     */
    const leaders = async (): Promise<string[]> => {
      const javaLeaders = (await java.request('status')).slice('leaders='.length);
      const nodeLeaders = [...nodes].filter(([, e]) => e.isLeader).map(([id]) => id);
      return [...(javaLeaders === '' ? [] : javaLeaders.split(',')), ...nodeLeaders];
    };
    const samples: string[][] = [];
    const expectLeader = async (id: string | undefined) => {
      await until(async () => {
        const now = await leaders();
        samples.push(now);
        return now.length === (id === undefined ? 0 : 1) && (id === undefined || now[0] === id);
      }, `leader ${id}`);
    };
    /** Both languages read the same participants in the same order, the leader first. */
    const expectParticipants = async (line: string[]) => {
      const marked = line.map((id, i) => (i === 0 ? `${id}*` : id)).join(',');
      expect(await java.request('participants')).toBe(marked);
      const read = await observer.participants();
      expect(read.map((p) => (p.isLeader ? `${p.id}*` : p.id)).join(',')).toBe(marked);
    };

    await expectLeader('java-0');
    await expectParticipants(order);

    // The leader leaves, whichever language: the next in line (other language) leads.
    for (const [i, id] of order.entries()) {
      if (id.startsWith('java')) await java.request(`close id=${id}`);
      else await nodes.get(id)?.close();
      const next = order[i + 1];
      await expectLeader(next);
      await expectParticipants(order.slice(i + 1));
    }

    expect(samples.filter((s) => s.length > 1)).toEqual([]);
    // Every participant was elected exactly once, and revoked when it left.
    expect((await java.request('events')).split(',')).toEqual([
      'java-0:elected',
      'java-0:revoked',
      'java-1:elected',
      'java-1:revoked',
    ]);
    expect(timeline).toEqual([
      'node-0:elected',
      'node-0:revoked',
      'node-1:elected',
      'node-1:revoked',
      'node-2:elected',
      'node-2:revoked',
    ]);
    expect(await children(path)).toEqual([]);
  });

  test('a Java leader killed with SIGKILL: the Node participant leads once its session expires', async () => {
    const path = '/interop-election/killed';
    const java = await javaPeer(path, 2000);
    await java.request('start id=java-0');
    await until(async () => (await java.request('status')) === 'leaders=java-0', 'java-0 to lead');
    const timeline: string[] = [];
    const { election } = await nodeParticipant(path, 'node-0', timeline);
    await election.start();
    expect(election.isLeader).toBe(false);

    await java.kill();
    // Its node stays until the server expires the session; then node-0 is first in line.
    await election.waitForLeadership({ timeoutMs: 30_000 });
    const participants = await election.participants();
    expect(participants.map((p) => p.id)).toEqual(['node-0']);
    expect(timeline).toEqual(['node-0:elected']);
  });

  test('a Node leader whose session expires: the Java participant behind it leads, Node rejoins behind', async () => {
    const path = '/interop-election/expired';
    const java = await javaPeer(path);
    const timeline: string[] = [];
    const { election, session } = await nodeParticipant(path, 'node-0', timeline);
    await election.start();
    await election.waitForLeadership({ timeoutMs: 20_000 });
    await java.request('start id=java-0');
    await until(async () => (await children(path)).length === 2, 'java-0 in line');

    await expireSession(session);
    await until(async () => (await java.request('status')) === 'leaders=java-0', 'java-0 to lead');
    // The Node participant heard `lost` (revoked) and joined again on its next session, behind.
    await until(async () => (await children(path)).length === 2, 'node-0 back in line');
    expect(await java.request('participants')).toBe('java-0*,node-0');
    expect(election.isLeader).toBe(false);
    expect(timeline).toEqual(['node-0:elected', 'node-0:revoked']);
    expect(await java.request('events')).toBe('java-0:elected');
  });

  /**
   * KNOWN INCOMPATIBILITY, pinned as it is today (once fixed: expect one reading).
   * ZooKeeper's sequence counter wraps negative after 2147483647 (`%010d`: -2147483648 is
   * `-2147483648`, -1 is `-000000001`). Curator orders the suffixes as strings, so negative ones
   * come first and in reverse (`-2147483645` < `-2147483647`); LeaderElection keeps the order
   * the server issued them in (serial-number arithmetic, src/recipes/internal/sequence.ts).
   * Below, nodes named as they would be around the wrap, created oldest first: Curator reads
   * the newest (`c`) as leader, Node the oldest (`a`). Java and Node participants would each
   * think they lead.
   */
  test('known incompatibility: after the sequence counter wraps, Java and Node read different leaders', async () => {
    const path = '/interop-election/wrapped';
    const suffixes = { a: '2147483645', b: '-2147483647', c: '-2147483645' };
    for (const [id, seq] of Object.entries(suffixes))
      await admin.create(`${path}/_c_${crypto.randomUUID()}-latch-${seq}`, id, {
        createParents: true,
      });
    const java = await javaPeer(path);
    const javaRead = await java.request('participants');
    const observer = new LeaderElection(admin, path, { id: 'observer' });
    const nodeRead = (await observer.participants())
      .map((p) => (p.isLeader ? `${p.id}*` : p.id))
      .join(',');
    expect(javaRead).toBe('c*,b,a');
    expect(nodeRead).toBe('a*,b,c');
  });
});
