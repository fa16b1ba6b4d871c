/**
 * Session against a real standalone ZooKeeper, on every transport: connection states across
 * server restarts and expiry, protected create across a lost reply, and calls after close.
 */
import { describe, expect, test } from 'vitest';
import { ConnectionLossError, SessionClosedError, ZkError } from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';
import type { SessionStateEvent } from '../../src/session/states.js';
import { CREATOR_ALL_ACL, Perms } from '../../src/session/transport/types.js';
import { expireSession } from '../../src/testing/index.js';
import { spyTransport } from '../support/spy-transport.js';
import { eventually, TRANSPORTS } from '../support/transports.js';
import { useZooKeeper } from '../support/zookeeper.js';

const zk = useZooKeeper();

function record(session: Session): SessionStateEvent[] {
  const events: SessionStateEvent[] = [];
  session.on('state', (e) => events.push(e));
  return events;
}

describe.each(TRANSPORTS)('Session on the %s transport (standalone server)', (transport) => {
  test('connects, reads and writes under a namespace, with typed errors', async () => {
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport,
      namespace: `ns-${transport}`,
    });
    expect(session.state).toBe('connected');
    expect(session.generation).toBe(1);
    expect(typeof session.sessionId).toBe('bigint');
    const created = await session.create('/a/b', 'hello', { createParents: true });
    expect(created.path).toBe('/a/b');
    const { data, stat } = await session.getData('/a/b');
    expect(data.toString()).toBe('hello');
    expect(typeof stat.czxid).toBe('bigint');
    await expect(session.create('/a/b')).rejects.toMatchObject({
      code: 'NODEEXISTS',
      path: '/a/b',
    });
    await expect(session.setData('/a/b', 'x', { version: 7 })).rejects.toMatchObject({
      code: 'BADVERSION',
    });
    await expect(session.getData('/missing')).rejects.toBeInstanceOf(ZkError);
    const seq = await session.create('/a/s-', 'x', { mode: 'ephemeralSequential' });
    expect(seq.path).toMatch(/^\/a\/s-\d{10}$/);
    expect((await session.getChildren('/a')).children.sort()).toEqual(
      ['b', seq.path.slice(3)].sort(),
    );
  });

  test('auth and a default ACL: nodes belong to their authenticated creator', async () => {
    const auth = [{ scheme: 'digest', auth: 'alice:secret' }];
    await using owner = await Session.connect({
      connectString: zk.connectString,
      transport,
      auth,
      defaultAcl: CREATOR_ALL_ACL,
    });
    await using stranger = await Session.connect({ connectString: zk.connectString, transport });
    const path = `/acl-${transport}`;
    if (transport === 'native') {
      // The binding always sends the open ACL; the native transport refuses rather than lie.
      await expect(owner.create(path, 'x')).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
      return;
    }
    await owner.create(path, 'secret');
    await expect(stranger.getData(path)).rejects.toMatchObject({ code: 'NOAUTH', path });
    expect((await owner.getData(path)).data.toString()).toBe('secret');
    const { acl } = await owner.getAcl(path);
    expect(acl).toEqual([
      { perms: Perms.ALL, scheme: 'digest', id: expect.stringMatching(/^alice:/) },
    ]);
  });

  test('container and TTL modes', async () => {
    await using session = await Session.connect({ connectString: zk.connectString, transport });
    const base = `/modes-${transport}`;
    await session.create(base, '', { mode: 'container' });
    await session.create(`${base}/ttl`, 'x', { mode: 'persistentWithTtl', ttlMs: 60_000 });
    const seq = await session.create(`${base}/ttl-`, 'x', {
      mode: 'persistentSequentialWithTtl',
      ttlMs: 60_000,
    });
    expect(seq.path).toMatch(/\/ttl-\d{10}$/);
    expect((await session.getChildren(base)).children).toHaveLength(2);
  });

  test('server restarted within the session timeout: suspended, then reconnected with the same session', async () => {
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport,
      sessionTimeoutMs: 20_000,
    });
    const events = record(session);
    const id = session.sessionId;
    await zk.stopServer(0);
    await eventually(() => events.some((e) => e.state === 'suspended'), 'suspended');
    await zk.startServer(0);
    await eventually(() => events.some((e) => e.state === 'reconnected'), 'reconnected');
    expect(events.map((e) => e.state)).toEqual(['suspended', 'reconnected']);
    expect(events.every((e) => e.sessionId === id && e.generation === 1)).toBe(true);
    expect(session.sessionId).toBe(id);
    await session.sync('/');
  });

  test('server down longer than the session timeout: lost by the local timer, then a new session once it is back', async () => {
    const spy = await spyTransport(transport);
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport: spy.factory,
      sessionTimeoutMs: 2_000,
    });
    const events = record(session);
    const oldId = session.sessionId;
    await zk.stopServer(0);
    await eventually(() => events.some((e) => e.state === 'lost'), 'lost');
    expect(events.find((e) => e.state === 'lost')).toMatchObject({
      reason: 'timeout',
      sessionId: oldId,
      generation: 1,
    });
    await zk.startServer(0);
    await eventually(() => events.some((e) => e.state === 'connected'), 'connected');
    const connected = events.find((e) => e.state === 'connected')!;
    expect(connected.generation).toBe(2);
    expect(connected.sessionId).not.toBe(oldId);
    expect(events.map((e) => e.state)).toEqual(['suspended', 'lost', 'connected']);
    // The old session (restored by the restarted server) is closed for us, so its ephemerals go now.
    await eventually(() => spy.made.length >= 3, 'the orphan session closer');
  });

  test('expireSession: lost (expired), then connected with the next generation; the old handle is never used again', async () => {
    const spy = await spyTransport(transport);
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport: spy.factory,
      sessionTimeoutMs: 4_000,
    });
    const events = record(session);
    const oldId = session.sessionId;
    await session.create(`/eph-${transport}`, 'x', { mode: 'ephemeral' });
    await expireSession(session);
    await eventually(
      () => events.some((e) => e.state === 'connected'),
      'connected on a new session',
    );
    // The attach from another client drops our connection first, so `suspended` may come before.
    const states = events
      .map((e) => `${e.state}:${e.generation}`)
      .filter((s) => s !== 'suspended:1');
    expect(states).toEqual(['lost:1', 'connected:2']);
    expect(events.find((e) => e.state === 'lost')).toMatchObject({
      reason: 'expired',
      sessionId: oldId,
    });
    expect(session.sessionId).not.toBe(oldId);
    const callsOnOld = spy.made[0]!.calls.length;
    expect(await session.exists(`/eph-${transport}`)).toBeNull();
    await session.getChildren('/');
    expect(spy.made[0]!.calls.length).toBe(callsOnOld);
    expect(spy.made).toHaveLength(2);
  });

  test('a connection loss during a protected create finds the node it made', async () => {
    const spy = await spyTransport(transport);
    await using session = await Session.connect({
      connectString: zk.connectString,
      transport: spy.factory,
      sessionTimeoutMs: 20_000,
    });
    await session.ensurePath(`/protected-${transport}`);
    let lost = false;
    spy.afterCreate = async (path) => {
      if (lost || !path.includes('_c_')) return;
      lost = true;
      // The create reached the server; the connection drops before its reply is read.
      await zk.stopServer(0);
      setTimeout(() => void zk.startServer(0), 300);
      throw new ConnectionLossError(path);
    };
    const result = await session.createProtected(`/protected-${transport}`, 'lock-', 'x', {
      mode: 'ephemeralSequential',
    });
    expect(lost).toBe(true);
    const { children } = await session.getChildren(`/protected-${transport}`);
    expect(children).toHaveLength(1);
    expect(result.path).toBe(`/protected-${transport}/${children[0]}`);
    expect(children[0]).toMatch(/^_c_[0-9a-f-]{36}-lock-\d{10}$/);
    expect(result.stat?.ephemeralOwner).toBe(session.sessionId);
  });

  test('10,000 calls after close reject with SessionClosedError and the process lives on', async () => {
    const session = await Session.connect({ connectString: zk.connectString, transport });
    await session.close();
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 10_000; i++) {
      const path = `/after-close/${i}`;
      calls.push(
        i % 3 === 0
          ? session.create(path, 'x')
          : i % 3 === 1
            ? session.getData(path, { watch: () => {} })
            : session.delete(path),
      );
    }
    const results = await Promise.allSettled(calls);
    expect(
      results.every((r) => r.status === 'rejected' && r.reason instanceof SessionClosedError),
    ).toBe(true);
    expect(session.state).toBe('closed');
  });
});
