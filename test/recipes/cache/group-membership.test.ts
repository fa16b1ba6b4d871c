/**
 * GroupMembership against a real standalone ZooKeeper: 20 members in separate sessions join,
 * update and leave at random, some sessions expire; every observer (persistent watches,
 * one-time watches, native transport) and every member converges to the live members.
 */
import { describe, expect, test } from 'vitest';
import { GroupMembership, type Member } from '../../../src/recipes/group-membership.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track, VARIANTS } from './helpers.js';

const zk = useZooKeeper();

/** `id=data` of every member, in id order. */
const show = (members: readonly Member[]) =>
  members.map((m) => `${m.id}=${m.data.toString()}`).join(' ');

/** A small deterministic PRNG (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('GroupMembership', () => {
  test('20 members join, update and leave at random, some expire: everyone converges', async () => {
    const path = '/groups/random';
    const seed = Date.now() % 100_000;
    const next = random(seed);
    const observers = await Promise.all(
      VARIANTS.map(async ({ transport, watchMode }) => {
        const session = await connect(zk.connectString, { transport });
        const group = track(new GroupMembership(session, path, { watchMode }));
        await group.start();
        return { session, group };
      }),
    );
    const members = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const session = await connect(zk.connectString);
        const group = track(new GroupMembership(session, path, { memberId: `m${i}` }));
        await group.start(); // a member that never joins observes too
        return { id: `m${i}`, session, group, data: undefined as string | undefined };
      }),
    );

    for (let step = 0; step < 60; step++) {
      const member = members[Math.floor(next() * members.length)]!;
      if (step === 30) {
        // Mid-way, two joined members and a (wire) observer lose their sessions.
        const joined = members.filter((m) => m.data !== undefined);
        for (const m of joined.slice(0, 2)) await expireSession(m.session);
        await expireSession(observers[0]!.session);
      }
      if (member.data === undefined) {
        member.data = `join${step}`;
        await member.group.join(member.data);
      } else if (next() < 0.3) {
        member.data = `update${step}`;
        await member.group.update(member.data);
      } else {
        member.data = undefined;
        await member.group.leave();
      }
    }

    const expected = show(
      members
        .filter((m) => m.data !== undefined)
        .map((m) => ({ id: m.id, data: Buffer.from(m.data ?? '') }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
    const everyone = [...observers.map((o) => o.group), ...members.map((m) => m.group)];
    await eventually(
      () => everyone.every((g) => show(g.members()) === expected),
      `every view to converge (seed ${seed})`,
      30_000,
    );
    expect(observers[0]!.session.generation).toBe(2);
  });

  test('a member whose session expires re-joins; observers see it leave and come back or stay', async () => {
    const path = '/groups/expiry';
    const observerSession = await connect(zk.connectString);
    const observer = track(new GroupMembership(observerSession, path));
    const memberSession = await connect(zk.connectString);
    const member = track(new GroupMembership(memberSession, path, { memberId: 'solo' }));
    await member.join('payload');
    await observer.start();
    expect(show(observer.members())).toBe('solo=payload');
    const before = (await observerSession.exists(`${path}/solo`))!;
    await expireSession(memberSession);
    await eventually(
      () => observer.members().length === 1 && memberSession.generation === 2,
      'the member back',
    );
    const after = (await observerSession.exists(`${path}/solo`))!;
    expect(after.czxid).not.toBe(before.czxid);
    expect(after.ephemeralOwner).toBe(memberSession.sessionId);
    await eventually(() => show(observer.members()) === 'solo=payload', 'the observer');
    expect(member.isMember).toBe(true);
  });

  test('change events and the async iterator of member lists', async () => {
    const path = '/groups/events';
    const session = await connect(zk.connectString);
    const group = track(new GroupMembership(session, path, { memberId: 'a' }));
    const other = track(
      new GroupMembership(await connect(zk.connectString), path, { memberId: 'b' }),
    );
    const changes: string[] = [];
    group.on('change', (c) =>
      changes.push(
        `+${c.added.map((m) => m.id)} -${c.removed.map((m) => m.id)} ~${c.updated.map((m) => m.id)}`,
      ),
    );
    await group.join('1');
    const seen: string[] = [];
    for await (const members of group) {
      seen.push(show(members));
      if (seen.length === 1) await other.join('2');
      else if (seen.length === 2) await other.update('3');
      else if (seen.length === 3) await other.leave();
      else break;
    }
    expect(seen).toEqual(['a=1', 'a=1 b=2', 'a=1 b=3', 'a=1']);
    expect(changes).toEqual(['+a - ~', '+b - ~', '+ - ~b', '+ -b ~']);
    await group.leave();
    await eventually(() => group.members().length === 0, 'own leave seen');
    expect(group.isMember).toBe(false);
  });

  test('bad input and calls after close: typed errors', async () => {
    const session = await connect(zk.connectString);
    for (const memberId of ['a/b', '', '..', 'x\u0000'])
      expect(() => new GroupMembership(session, '/g', { memberId })).toThrow(InvalidArgumentError);
    expect(() => new GroupMembership(session, 'g')).toThrow(InvalidArgumentError);
    const group = new GroupMembership(session, '/groups/misuse', { memberId: 'm' });
    await expect(group.update('x')).rejects.toBeInstanceOf(InvalidArgumentError);
    await group.leave(); // not joined: nothing to do
    await group.close();
    await group.close();
    await expect(group.join('x')).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(group.start()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(group.leave()).rejects.toBeInstanceOf(RecipeClosedError);
  });
});
