/**
 * The contention engine driven by a scripted session: exact interleavings of results, watch
 * triggers and session states, without a server.
 */
import { describe, expect, test } from 'vitest';
import { firstInLine, lineOf } from '../../../src/recipes/internal/contenders.js';
import { Contention } from '../../../src/recipes/internal/contention.js';
import type { LockLostError } from '../../../src/recipes/lock-errors.js';
import { RecipeClosedError } from '../../../src/session/errors.js';
import { FakeSession, sequenceText } from './fake-session.js';
import { eventually } from './support.js';

const PATH = '/lock';

function engine(fake: FakeSession, abortOn: 'suspended' | 'lost' = 'suspended') {
  return new Contention({
    session: fake.asSession(),
    path: PATH,
    driver: firstInLine('lock-'),
    abortOn,
  });
}

const other = (seq: number, uuid = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa') =>
  `${PATH}/_c_${uuid}-lock-${sequenceText(seq)}`;

describe('contention order (HARD-CASES 15)', () => {
  test('issue order of the sequence after the marker, across the wrap; the protected prefix and other children do not count', () => {
    const names = [
      '_c_ffffffff-ffff-4fff-8fff-ffffffffffff-lock-2147483647',
      '_c_00000000-0000-4000-8000-000000000000-lock--2147483648',
      'lock-2147483646',
      'unrelated',
      '_c_11111111-1111-4111-8111-111111111111-lock--2147483647',
    ];
    expect(lineOf(names, ['lock-']).map((n) => n.sequence)).toEqual([
      2147483646, 2147483647, -2147483648, -2147483647,
    ]);
  });

  test('two markers share one line (read/write lock)', () => {
    const names = ['x-__READ__0000000003', 'y-__WRIT__0000000002', 'z-__READ__0000000001'];
    expect(lineOf(names, ['__WRIT__', '__READ__']).map((n) => n.name)).toEqual([
      'z-__READ__0000000001',
      'y-__WRIT__0000000002',
      'x-__READ__0000000003',
    ]);
  });
});

describe('contention engine (scripted session)', () => {
  test('a node created after the counter wrapped orders after the one created just before (HARD-CASES 15)', async () => {
    const fake = new FakeSession();
    fake.nextSequence = 2147483647;
    const e = engine(fake);
    const tenure = await e.enter(); // ours: 2147483647, the last number before the wrap
    expect(tenure.node).toMatch(/-lock-2147483647$/);
    const waiter = engine(fake);
    const entering = waiter.enter(); // gets -2147483648, the next number issued
    await eventually(() => waiter.state.kind === 'waiting', 'waiting');
    expect(e.isHolding).toBe(true);
    await e.leave(tenure);
    expect((await entering).node).toMatch(/-lock--2147483648$/);
    await e.close();
    await waiter.close();
  });

  test('own node listed first but owned by another session: never held through it (HARD-CASES 2)', async () => {
    const fake = new FakeSession();
    const e = engine(fake);
    const held: string[] = [];
    e.on('acquired', (t) => held.push(t.node));
    // The first create "succeeds" with a node whose ephemeralOwner is an old session.
    const create = fake.createProtected.bind(fake);
    let first: string | undefined;
    fake.createProtected = async (parent: string, name: string) => {
      const result = await create(parent, name);
      if (first === undefined) {
        first = result.path;
        fake.nodes.set(result.path, { owner: 0x42n, czxid: 1n });
        // As when protected create adopts a node found after a reconnect: its stat says whose.
        const stat = result.stat!; // this fake answers with a stat (createStat)
        return { ...result, stat: { ...stat, ephemeralOwner: 0x42n } };
      }
      return result;
    };
    const tenure = await e.enter();
    expect(tenure.node).not.toBe(first);
    expect(held).toEqual([tenure.node]);
    expect(fake.nodes.has(first!)).toBe(false); // the stranded node was deleted
    await e.close();
  });

  test('lost while holding: the signal aborts and `lost` is emitted before anything else; waiters re-enter on the next session', async () => {
    const fake = new FakeSession();
    const holder = engine(fake);
    const tenure = await holder.enter();
    const log: string[] = [];
    tenure.signal.addEventListener('abort', () => log.push('aborted'));
    holder.on('lost', (_t, err) => log.push(`lost:${err.reason}`));
    // A second entrant of the same owner arrives after the loss, in the same turn.
    fake.emit('lost');
    const again = holder.enter().then((t) => {
      log.push('entered again');
      return t;
    });
    await eventually(() => holder.state.kind === 'paused', 'paused');
    expect(log).toEqual(['aborted', 'lost:expired']);
    expect((tenure.signal.reason as LockLostError).reason).toBe('expired');
    fake.emit('connected');
    const next = await again;
    expect(next.node).not.toBe(tenure.node);
    expect(log).toEqual(['aborted', 'lost:expired', 'entered again']);
    await holder.close();
  });

  test('suspended: the holder is told (uncertain), keeps its node until it leaves; `abortOn: lost` keeps holding', async () => {
    const fake = new FakeSession();
    const strict = engine(fake);
    const tenure = await strict.enter();
    fake.emit('suspended');
    await eventually(() => tenure.signal.aborted, 'aborted');
    expect((tenure.signal.reason as LockLostError).reason).toBe('suspended');
    expect(fake.nodes.has(tenure.node)).toBe(true);
    fake.emit('reconnected');
    await strict.leave(tenure);
    expect(fake.nodes.has(tenure.node)).toBe(false);

    const lenient = engine(fake, 'lost');
    const kept = await lenient.enter();
    fake.emit('suspended');
    fake.emit('reconnected');
    await eventually(() => fake.calls.at(-1) === `getData ${kept.node}`, 'verified');
    expect(kept.signal.aborted).toBe(false);
    await lenient.close();
  });

  test('a create that completes after the session was lost is deleted, and the entrant gets a new node', async () => {
    const fake = new FakeSession();
    const e = engine(fake);
    fake.holdCreates = true;
    const entering = e.enter();
    await eventually(() => fake.calls.includes('create'), 'create sent');
    // The session is lost while the create is in flight; the next session's create is held too.
    fake.emit('lost');
    fake.emit('connected');
    await eventually(() => fake.calls.filter((c) => c === 'create').length === 2, 'created again');
    fake.holdCreates = false;
    fake.releaseCreates();
    const tenure = await entering;
    await eventually(() => fake.nodes.size === 1, 'the stale node deleted');
    expect([...fake.nodes.keys()]).toEqual([tenure.node]);
    await e.close();
  });

  test('aborting a waiting enter deletes its node; an aborted signal creates nothing', async () => {
    const fake = new FakeSession();
    const first = fake.add(other(0));
    fake.nextSequence = 1;
    const e = engine(fake);
    const controller = new AbortController();
    const entering = e.enter({ signal: controller.signal });
    await eventually(() => e.state.kind === 'waiting', 'waiting');
    controller.abort(new Error('changed my mind'));
    await expect(entering).rejects.toThrow('changed my mind');
    await eventually(() => e.state.kind === 'idle', 'idle');
    await e.settled();
    expect([...fake.nodes.keys()]).toEqual([first]);

    const creates = fake.calls.filter((c) => c === 'create').length;
    const reason = new Error('already');
    await expect(e.enter({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(fake.calls.filter((c) => c === 'create').length).toBe(creates);
    await e.close();
  });

  test('the watched node goes before the answer of the look that watched it is handled', async () => {
    const fake = new FakeSession();
    const before = fake.add(other(0));
    fake.nextSequence = 1;
    // The trigger of the new watch is posted before the look's answer (as when the reply and
    // the notification arrive together): the engine must not wait on a node already gone.
    fake.afterWatch = (path) => {
      if (path === before) void fake.delete(before);
    };
    const e = engine(fake);
    const tenure = await e.enter();
    expect(fake.nodes.has(before)).toBe(false);
    await e.leave(tenure);
    await e.close();
  });

  test('a trigger from an older watch does not wake the waiter (HARD-CASES 7)', async () => {
    const fake = new FakeSession();
    const a = fake.add(other(0, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa'));
    const b = fake.add(other(1, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb'));
    fake.nextSequence = 2;
    const e = engine(fake);
    const entering = e.enter();
    await eventually(() => e.state.kind === 'waiting', 'waiting');
    expect(e.state).toMatchObject({ watched: b });
    const lists = fake.calls.filter((c) => c === 'getChildren').length;
    await fake.delete(a); // nobody of ours watches it
    await new Promise((r) => setTimeout(r, 20));
    expect(fake.calls.filter((c) => c === 'getChildren').length).toBe(lists);
    await fake.delete(b);
    await entering;
    await e.close();
  });

  test('a hand-off with only the holder ahead needs no look: the waiter holds on the trigger', async () => {
    const fake = new FakeSession();
    const holder = engine(fake);
    const held = await holder.enter();
    const waiter = engine(fake);
    const entering = waiter.enter();
    await eventually(() => waiter.state.kind === 'waiting', 'waiting');
    const calls = fake.calls.length;
    await holder.leave(held);
    const tenure = await entering;
    // The holder's delete, and nothing of the waiter's: no list, no read.
    expect(fake.calls.slice(calls)).toEqual([`delete ${held.node}`]);
    expect(tenure.fencingToken).toBeGreaterThan(held.fencingToken);
    await waiter.leave(tenure);
    await holder.close();
    await waiter.close();
  });

  test('a create without a stat (native transport, no create2): the first look reads our node, then holds', async () => {
    const fake = new FakeSession();
    fake.createStat = false;
    const e = engine(fake);
    const tenure = await e.enter();
    // The listing went with the create; the owner and czxid came from one read of our node.
    expect(fake.calls).toEqual(['create', 'getChildren', `getData ${tenure.node}`]);
    expect(tenure.fencingToken).toBe(fake.nodes.get(tenure.node)?.czxid);
    await e.leave(tenure);
    await e.close();
  });

  test('the only node ahead goes between the listing and the watch: held without listing again', async () => {
    for (const ahead of [1, 2]) {
      const fake = new FakeSession();
      const nodes = Array.from({ length: ahead }, (_, i) =>
        fake.add(other(i, `${'abcdef'[i]!.repeat(8)}-aaaa-4aaa-8aaa-aaaaaaaaaaaa`)),
      );
      fake.nextSequence = ahead;
      // The last node ahead (the one we watch) goes right after the first listing.
      const list = fake.getChildren.bind(fake);
      let listings = 0;
      fake.getChildren = async (parent: string) => {
        const listed = await list(parent);
        if (++listings === 1) fake.nodes.delete(nodes[ahead - 1]!);
        return listed;
      };
      const e = engine(fake);
      const entering = e.enter();
      if (ahead === 1) {
        await entering;
        expect(listings).toBe(1); // nothing else was ahead: no second look
      } else {
        // Another node is still ahead: look again, and wait on that one.
        await eventually(
          () => e.state.kind === 'waiting' && e.state.watched === nodes[0],
          'waiting on the first',
        );
        expect(listings).toBe(2);
        await fake.delete(nodes[0]!);
        await entering;
      }
      await e.close();
    }
  });

  test('the node ahead gives up while others are still ahead: the waiter looks again and keeps waiting', async () => {
    const fake = new FakeSession();
    const head = fake.add(other(0, 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa')); // holds
    const middle = fake.add(other(1, 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb')); // waits on head
    fake.nextSequence = 2;
    const e = engine(fake);
    const entering = e.enter();
    await eventually(() => e.state.kind === 'waiting', 'waiting');
    expect(e.state).toMatchObject({ watched: middle });
    await fake.delete(middle); // gave up: the head still holds
    await eventually(
      () => e.state.kind === 'waiting' && e.state.watched === head,
      'waiting on the head',
    );
    expect(e.isHolding).toBe(false);
    await fake.delete(head);
    await entering;
    await e.close();
  });

  test("a data change on the waiter's own node uses its watch up: the holder arms it again", async () => {
    const fake = new FakeSession();
    const head = fake.add(other(0));
    fake.nextSequence = 1;
    const e = engine(fake);
    const entering = e.enter();
    await eventually(() => e.state.kind === 'waiting', 'waiting');
    const own = e.state.kind === 'waiting' ? e.state.node : '';
    fake.trigger(own, 'dataChanged');
    await eventually(
      () => e.state.kind === 'waiting' && !e.state.own.watched,
      'the own watch marked used',
    );
    const calls = fake.calls.length;
    await fake.delete(head);
    await entering;
    // Not sure of its node any more: the hand-off lists again, and the new holder re-arms the
    // watch on its node (a read) once the hold lasts.
    await eventually(() => fake.calls.length === calls + 3, 'the arming read');
    expect(fake.calls.slice(calls)).toEqual([`delete ${head}`, 'getChildren', `getData ${own}`]);
    await e.close();
  });

  test('re-entry: entries count, the node goes with the last leave; calls after close are refused', async () => {
    const fake = new FakeSession();
    const e = engine(fake);
    const t1 = await e.enter();
    const t2 = await e.enter();
    expect(t2).toBe(t1);
    await e.leave(t1);
    expect(fake.nodes.has(t1.node)).toBe(true);
    await e.leave(t2);
    expect(fake.nodes.has(t1.node)).toBe(false);
    await e.close();
    await expect(e.enter()).rejects.toBeInstanceOf(RecipeClosedError);
  });
});
