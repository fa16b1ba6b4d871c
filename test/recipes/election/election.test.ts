/**
 * LeaderElection against a real standalone ZooKeeper: one leader among many, hand-over on close,
 * a re-created own node, a foreign node first in line, a create whose reply is lost, observers,
 * guard(), and bad input.
 */
import { describe, expect, test, vi } from 'vitest';
import { LeadershipLostError } from '../../../src/recipes/election/errors.js';
import {
  AlreadyStartedError,
  LeaderElection,
  type LeaderInfo,
} from '../../../src/recipes/leader-election.js';
import {
  ConnectionLossError,
  InvalidArgumentError,
  RecipeClosedError,
} from '../../../src/session/errors.js';
import { MultiError } from '../../../src/session/multi.js';
import { Session } from '../../../src/session/session.js';
import { spyTransport } from '../../support/spy-transport.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { eventually, Group, indexOf } from './helpers.js';

const zk = useZooKeeper({ servers: 1 });

const nodeOf = (e: LeaderElection) => (e.state as { node?: string }).node;

describe('LeaderElection (standalone server)', () => {
  test('five participants: one leader; on close exactly one new leader, told after the old one', async () => {
    const group = new Group(zk.connectString, '/election/five');
    try {
      group.startSampling();
      for (const id of ['p0', 'p1', 'p2', 'p3', 'p4']) await group.join(id);
      const first = await group.waitForOneLeader('a first leader');
      expect(first.id).toBe('p0');
      const participants = await first.election.participants();
      expect(participants.map((p) => p.id)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
      expect(participants.map((p) => p.isLeader)).toEqual([true, false, false, false, false]);
      expect(participants[0]?.node).toMatch(/^\/election\/five\/_c_[0-9a-f-]{36}-latch-\d{10}$/);
      const leadership = first.leaderships[0]!;
      expect(leadership.fencingToken).toBeTypeOf('bigint');

      await first.election.close();
      const second = await group.waitForOneLeader('the next leader', { except: ['p0'] });
      expect(second.id).toBe('p1');
      expect(leadership.signal.aborted).toBe(true);
      expect(leadership.signal.reason).toBeInstanceOf(LeadershipLostError);
      const elected = indexOf(group.log, 'p1', 'elected');
      expect(indexOf(group.log, 'p0', 'aborted')).toBeLessThan(elected);
      expect(indexOf(group.log, 'p0', 'revoked')).toBeLessThan(elected);
      expect(group.log.filter((e) => e.what === 'elected').map((e) => e.who)).toEqual(['p0', 'p1']);
      expect(second.leaderships[0]!.fencingToken).toBeGreaterThan(leadership.fencingToken);
      expect((await second.election.leader())?.id).toBe('p1');
      expect((await second.election.participants()).map((p) => p.id)).toEqual([
        'p1',
        'p2',
        'p3',
        'p4',
      ]);
      expect(group.violations).toEqual([]);
      expect(group.log.filter((e) => e.what === 'error')).toEqual([]);
    } finally {
      await group.stop();
    }
  });

  test('own node deleted by someone else while waiting: re-created at the back, still served', async () => {
    const group = new Group(zk.connectString, '/election/deleted');
    await using admin = await Session.connect({ connectString: zk.connectString });
    try {
      const a = await group.join('a');
      const b = await group.join('b');
      const c = await group.join('c');
      await group.waitForOneLeader('a leads');
      const old = nodeOf(b.election)!;
      await admin.delete(old);
      await eventually(() => {
        const now = nodeOf(b.election);
        return b.election.state.kind === 'waiting' && now !== undefined && now !== old;
      }, 'b to re-create its node');
      expect((await admin.getChildren('/election/deleted')).children).toHaveLength(3);
      expect((await a.election.participants()).map((p) => p.id)).toEqual(['a', 'c', 'b']);
      await a.election.close();
      await eventually(() => c.election.isLeader, 'c leads');
      await c.election.close();
      await eventually(() => b.election.isLeader, 'b leads on its new node');
      expect(group.violations).toEqual([]);
    } finally {
      await group.stop();
    }
  });

  test('the leader node deleted by someone else: leadership revoked, then re-joined', async () => {
    const group = new Group(zk.connectString, '/election/leader-deleted');
    await using admin = await Session.connect({ connectString: zk.connectString });
    try {
      const a = await group.join('a');
      const b = await group.join('b');
      await eventually(() => a.election.isLeader, 'a leads');
      const leadership = a.leaderships[0]!;
      await admin.delete(leadership.node);
      // Both hear the same delete at once (nobody can tell a first): b leads on its trigger,
      // a is revoked on its own. guard() is what keeps a from writing in between.
      await eventually(() => b.election.isLeader, 'b leads');
      await eventually(() => leadership.signal.aborted, 'a revoked');
      expect((leadership.signal.reason as LeadershipLostError).reason).toBe('node-deleted');
      await expect(leadership.guard([])).rejects.toBeInstanceOf(LeadershipLostError);
      await eventually(() => a.election.state.kind === 'waiting', 'a waits behind b');
      expect((await b.election.participants()).map((p) => p.id)).toEqual(['b', 'a']);
    } finally {
      await group.stop();
    }
  });

  test('a node of another session first in line, with our id, does not make us leader', async () => {
    const path = '/election/foreign';
    // Another session of the "same owner" (same participant id) is first in line.
    const other = await Session.connect({ connectString: zk.connectString });
    await other.createProtected(path, 'latch-', 'p1', {
      mode: 'ephemeralSequential',
      createParents: true,
    });
    const group = new Group(zk.connectString, path);
    try {
      const p1 = await group.join('p1');
      expect(p1.election.isLeader).toBe(false);
      expect(p1.election.state.kind).toBe('waiting');
      const leader = await p1.election.leader();
      expect(leader?.id).toBe('p1');
      expect(leader?.node).not.toBe(nodeOf(p1.election));
      await expect(p1.election.waitForLeadership({ timeoutMs: 300 })).rejects.toMatchObject({
        name: 'TimeoutError',
      });
      await other.close();
      const leadership = await p1.election.waitForLeadership({ timeoutMs: 20_000 });
      expect(leadership.node).toBe(nodeOf(p1.election));
    } finally {
      await other.close();
      await group.stop();
    }
  });

  test('connection loss during the create: the node is found and used, not leaked', async () => {
    const path = '/election/lost-reply';
    const spy = await spyTransport('wire');
    let lostReplies = 0;
    let latchCreates = 0;
    spy.afterCreate = async (created) => {
      if (!created.includes('latch-')) return;
      latchCreates += 1;
      if (lostReplies > 0) return;
      lostReplies += 1;
      throw new ConnectionLossError(created); // the create reached the server; its reply did not
    };
    const group = new Group(zk.connectString, path);
    try {
      const p = await group.join('p', { transport: spy.factory });
      expect(lostReplies).toBe(1);
      await eventually(() => p.election.isLeader, 'p leads');
      const { children } = await p.session.getChildren(path);
      expect(children).toHaveLength(1);
      expect(`${path}/${children[0]}`).toBe(nodeOf(p.election));
      expect(latchCreates).toBe(1); // adopted, not created again
    } finally {
      await group.stop();
    }
  });

  test('observe(): an observer sees every leader change, in order, and stops on break', async () => {
    const path = '/election/observed';
    await using watcher = await Session.connect({ connectString: zk.connectString });
    const off = vi.spyOn(watcher, 'off');
    const seen: (string | undefined)[] = [];
    const iterator = LeaderElection.observe(watcher, path);
    const consumed = (async () => {
      for await (const leader of iterator) {
        seen.push(leader?.leaderId);
        if (seen.length === 5) break;
      }
    })();
    const group = new Group(zk.connectString, path);
    try {
      await eventually(() => seen.length === 1, 'the first observation');
      const order = ['o1', 'o2', 'o3'];
      const members = [];
      for (const id of order) members.push(await group.join(id));
      for (const [i, m] of members.entries()) {
        await eventually(() => seen.at(-1) === m.id, `the observer to see ${m.id}`);
        await eventually(() => m.election.isLeader, `${m.id} leads`);
        expect(seen.length).toBe(i + 2);
        await m.election.close();
      }
      await consumed;
      expect(seen).toEqual([undefined, 'o1', 'o2', 'o3', undefined]);
      expect(off).toHaveBeenCalledWith('state', expect.any(Function)); // cleaned up on break
    } finally {
      await group.stop();
    }
  });

  test('observe() yields only real changes and ends on abort', async () => {
    const path = '/election/observed-quiet';
    const group = new Group(zk.connectString, path);
    const controller = new AbortController();
    try {
      const a = await group.join('a');
      await group.join('b');
      const seen: (LeaderInfo | undefined)[] = [];
      const consumed = (async () => {
        for await (const leader of a.election.observe({ signal: controller.signal }))
          seen.push(leader);
      })();
      await eventually(() => seen.length === 1, 'the first observation');
      await group.join('c'); // a change of the line, not of the leader
      await a.session.setData(path, 'touch');
      await new Promise((r) => setTimeout(r, 300));
      controller.abort();
      await consumed;
      expect(seen.map((l) => l?.leaderId)).toEqual(['a']);
    } finally {
      await group.stop();
    }
  });

  test('guard(): writes only while the leader node exists; errors index into the caller ops', async () => {
    const path = '/election/guarded';
    const group = new Group(zk.connectString, path);
    try {
      const a = await group.join('a');
      const leadership = await a.election.waitForLeadership();
      await a.session.create('/guarded-resource', 'v0');
      const results = await leadership.guard([
        { op: 'setData', path: '/guarded-resource', data: 'v1' },
      ]);
      expect(results).toHaveLength(1);
      expect(results[0]?.op).toBe('setData');
      const failed = await leadership
        .guard([
          { op: 'setData', path: '/guarded-resource', data: 'v2' },
          { op: 'delete', path: '/no-such-node' },
        ])
        .catch((e: unknown) => e);
      expect(failed).toBeInstanceOf(MultiError);
      expect((failed as MultiError).index).toBe(1);
      expect((failed as MultiError).code).toBe('NONODE');
      await a.election.close();
      await expect(
        leadership.guard([{ op: 'setData', path: '/guarded-resource', data: 'v3' }]),
      ).rejects.toMatchObject({ name: 'LeadershipLostError', reason: 'closed' });
      expect((await a.session.getData('/guarded-resource')).data.toString()).toBe('v1');
    } finally {
      await group.stop();
    }
  });

  test('bad input and calls after close: typed errors, no crash', async () => {
    await using session = await Session.connect({ connectString: zk.connectString });
    for (const bad of ['', 'relative/path', '/', '/trailing/', '/a//b'])
      expect(() => new LeaderElection(session, bad, { id: 'x' })).toThrow(InvalidArgumentError);
    expect(() => new LeaderElection(session, '/e', {} as { id: string })).toThrow(
      InvalidArgumentError,
    );
    expect(
      () => new LeaderElection(session, '/e', { id: 'x', policy: 'sometimes' as 'session-only' }),
    ).toThrow(InvalidArgumentError);
    expect(() => new LeaderElection({} as Session, '/e', { id: 'x' })).toThrow(
      InvalidArgumentError,
    );

    const election = new LeaderElection(session, '/election/bad-input', { id: 'x' });
    const aborted = AbortSignal.abort(new Error('gave up'));
    await expect(election.waitForLeadership({ signal: aborted })).rejects.toThrow('gave up');
    await expect(election.waitForLeadership({ timeoutMs: -1 })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    const pending = election.waitForLeadership();
    await election.start();
    await expect(election.start()).rejects.toBeInstanceOf(AlreadyStartedError);
    await pending; // the only participant leads
    const never = new LeaderElection(session, '/election/bad-input', { id: 'y' });
    await never.start();
    const waiting = expect(never.waitForLeadership()).rejects.toBeInstanceOf(RecipeClosedError);
    await never.close();
    await waiting;
    await election.close();
    await election.close(); // idempotent
    await expect(election.start()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(election.waitForLeadership()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(election.participants()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(election.leader()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(election.observe().next()).rejects.toBeInstanceOf(RecipeClosedError);
    expect(election.isLeader).toBe(false);
    expect((await session.getChildren('/election/bad-input')).children).toEqual([]);
    // Closed before it was started: nothing was created, close resolves.
    const unused = new LeaderElection(session, '/election/bad-input', { id: 'z' });
    await unused.close();
    await expect(unused.start()).rejects.toBeInstanceOf(RecipeClosedError);
  });
});
