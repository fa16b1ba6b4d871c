/**
 * LeaderElection on a 3-server ensemble: the server the leader is connected to stops. Under the
 * default policy the leader stops leading on `suspended`, and leads again once its session is
 * back on another server; at no moment do two participants lead.
 */
import { describe, expect, test } from 'vitest';
import { useZooKeeper } from '../../support/zookeeper.js';
import { eventually, Group } from './helpers.js';

const zk = useZooKeeper({ servers: 3 });

/** The index of the server `sessionId` is on; fails the test if none lists it. */
async function serverOf(sessionId: bigint): Promise<number> {
  const index = await zk.serverOfSession(sessionId);
  if (index === undefined) throw new Error(`no server lists session 0x${sessionId.toString(16)}`);
  return index;
}

describe('LeaderElection (3-server ensemble)', () => {
  test("the leader's server stops: revoked on suspended, at most one leader, leadership re-established", async () => {
    const group = new Group(zk.connectString, '/ensemble/election', { sessionTimeoutMs: 8_000 });
    let stopped: number | undefined;
    try {
      group.startSampling();
      for (const id of ['a', 'b', 'c']) await group.join(id);
      const leader = await group.waitForOneLeader('a first leader');
      for (const m of group.members) m.session.on('state', () => group.sample());
      const before = group.log.length;
      stopped = await serverOf(leader.session.sessionId!);
      await zk.stopServer(stopped);
      await eventually(
        () => group.log.slice(before).some((e) => e.what === 'revoked'),
        'the leader to be revoked',
        30_000,
      );
      expect(group.log.slice(before)[0]).toMatchObject({ who: leader.id, what: 'aborted' });
      expect(group.log.slice(before)[1]).toMatchObject({
        who: leader.id,
        what: 'revoked',
        detail: 'suspended',
      });
      const next = await group.waitForOneLeader('leadership re-established', { timeoutMs: 40_000 });
      // The old leader's session survived (it moved to another server): its node still leads.
      expect(next.id).toBe(leader.id);
      expect(leader.session.generation).toBe(1);
      expect(group.violations).toEqual([]);
      expect(group.log.filter((e) => e.what === 'error')).toEqual([]);
    } finally {
      await group.stop();
      if (stopped !== undefined) await zk.startServer(stopped);
    }
  });

  test('the ensemble leader stops (every session may move): still at most one leader, then one', async () => {
    const group = new Group(zk.connectString, '/ensemble/quorum', { sessionTimeoutMs: 8_000 });
    let stopped: number | undefined;
    try {
      group.startSampling();
      for (const id of ['a', 'b', 'c']) await group.join(id);
      await group.waitForOneLeader('a first leader');
      for (const m of group.members) m.session.on('state', () => group.sample());
      const before = group.log.length;
      stopped = await zk.leaderIndex();
      expect(stopped).toBeDefined();
      await zk.stopServer(stopped!);
      // The other servers lose quorum and drop their clients: every session is suspended.
      await eventually(
        () => group.log.slice(before).some((e) => e.what === 'revoked'),
        'the leader to be revoked',
        30_000,
      );
      await group.waitForOneLeader('one leader again', { timeoutMs: 40_000 });
      expect(group.violations).toEqual([]);
      expect(group.log.filter((e) => e.what === 'error')).toEqual([]);
    } finally {
      await group.stop();
      if (stopped !== undefined) await zk.startServer(stopped);
    }
  });
});
