/**
 * The caches across a disconnect, on a 3-server ensemble: the watchers' only server is stopped,
 * the nodes are changed through the others (including a delete-and-recreate that lands on the
 * same version and the same bytes, HARD-CASES 12), and every watcher must end on the final
 * state once its server is back, whether its session survived (reconnected) or not.
 */
import { expect, test } from 'vitest';
import { ChildrenCache } from '../../../src/recipes/children-cache.js';
import { ConfigWatch } from '../../../src/recipes/config-watch.js';
import { GroupMembership } from '../../../src/recipes/group-membership.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track, VARIANTS } from './helpers.js';

const zk = useZooKeeper({ servers: 3 });

/** A follower to stop (stopping the leader would add an election), and the others. */
async function split() {
  const leader = await zk.leaderIndex();
  const stopped = zk.servers.find((s) => s.index !== leader)!;
  const others = zk.servers.filter((s) => s !== stopped).map((s) => s.connectString);
  return { stopped, writer: await connect(others.join(',')) };
}

test('ConfigWatch: changes made while disconnected are seen after the resync', async () => {
  const { stopped, writer } = await split();
  const path = '/config/ensemble';
  await writer.create(path, JSON.stringify({ n: 1 }), { createParents: true });

  const watchers = await Promise.all(
    VARIANTS.map(async ({ transport, watchMode }) => {
      const session = await connect(stopped.connectString, { transport, sessionTimeoutMs: 4_000 });
      const watch = track(new ConfigWatch<{ n: number }>(session, path, { watchMode }));
      await watch.start();
      return { session, watch };
    }),
  );
  const first = watchers[0]!.watch.current!;

  await zk.stopServer(stopped.index);
  await eventually(
    () => watchers.every(({ session }) => session.state !== 'connected'),
    'every watcher to notice the disconnect',
  );
  await writer.delete(path);
  const again = await writer.create(path, JSON.stringify({ n: 1 }));
  const czxid = again.stat?.czxid ?? (await writer.exists(path))!.czxid;
  expect(czxid).not.toBe(first.czxid);
  await zk.startServer(stopped.index);

  await eventually(
    () => watchers.every(({ watch }) => watch.current?.czxid === czxid),
    'every watcher on the re-created node',
    30_000,
  );
  for (const { watch } of watchers) {
    expect(watch.current).toMatchObject({ value: { n: 1 }, version: 0 });
    expect(watch.state.kind).toBe('watching');
  }
  // The watches are armed again: a later change reaches everyone.
  await writer.setData(path, JSON.stringify({ n: 2 }));
  await eventually(
    () => watchers.every(({ watch }) => watch.current?.value.n === 2),
    'every watcher on the next change',
  );
});

test('ChildrenCache and GroupMembership: changes made while disconnected are seen after the resync', async () => {
  const { stopped, writer } = await split();
  const path = '/cache/ensemble';
  await writer.create(`${path}/a`, 'a', { createParents: true });
  await writer.create(`${path}/b`, 'b');
  const groupPath = '/groups/ensemble';
  const member = track(new GroupMembership(writer, groupPath, { memberId: 'stays' }));
  await member.join('1');
  const leaver = track(new GroupMembership(writer, groupPath, { memberId: 'leaves' }));
  await leaver.join('1');

  const watchers = await Promise.all(
    VARIANTS.map(async ({ transport, watchMode }) => {
      const session = await connect(stopped.connectString, { transport, sessionTimeoutMs: 4_000 });
      const cache = track(new ChildrenCache(session, path, { watchMode }));
      const group = track(
        new GroupMembership(session, groupPath, {
          watchMode,
          memberId: `w-${transport}-${watchMode}`,
        }),
      );
      await cache.start();
      await group.join('w');
      return { cache, group };
    }),
  );
  const listing = (c: ChildrenCache) =>
    [...c.children]
      .map(([n, d]) => `${n}=${d.data.toString()}`)
      .sort()
      .join(' ');
  const members = (g: GroupMembership) =>
    g
      .members()
      .map((m) => `${m.id}=${m.data.toString()}`)
      .join(' ');

  await zk.stopServer(stopped.index);
  await writer.delete(`${path}/a`);
  await writer.create(`${path}/a`, 'a'); // same name, version and bytes: only czxid differs
  await writer.setData(`${path}/b`, 'b2');
  await writer.create(`${path}/c`, 'c');
  const czxid = (await writer.exists(`${path}/a`))!.czxid;
  await leaver.leave();
  await member.update('2');
  await zk.startServer(stopped.index);

  await eventually(
    () =>
      watchers.every(
        ({ cache }) =>
          listing(cache) === 'a=a b=b2 c=c' && cache.children.get('a')?.stat.czxid === czxid,
      ),
    'every cache to converge',
    30_000,
  );
  const expectedMembers = ['stays=2', ...VARIANTS.map((v) => `w-${v.transport}-${v.watchMode}=w`)]
    .sort()
    .join(' ');
  await eventually(
    () => watchers.every(({ group }) => members(group) === expectedMembers),
    'every group view to converge',
    30_000,
  );
});

test('cut off longer than the session timeout: lost by the local timer, then all converge on the new session', async () => {
  const { stopped, writer } = await split();
  const config = '/config/partition';
  const children = '/cache/partition';
  const groupPath = '/groups/partition';
  await writer.create(config, JSON.stringify({ n: 1 }), { createParents: true });
  await writer.create(`${children}/a`, 'a', { createParents: true });

  const lost: string[] = [];
  const watchers = await Promise.all(
    VARIANTS.map(async ({ transport, watchMode }) => {
      const session = await connect(stopped.connectString, { transport, sessionTimeoutMs: 2_000 });
      session.on('lost', (e) => lost.push(`${transport}:${e.reason}`));
      const watch = track(new ConfigWatch<{ n: number }>(session, config, { watchMode }));
      const cache = track(new ChildrenCache(session, children, { watchMode }));
      const memberId = `w-${transport}-${watchMode}`;
      const group = track(new GroupMembership(session, groupPath, { watchMode, memberId }));
      await Promise.all([watch.start(), cache.start(), group.join(memberId)]);
      return { session, watch, cache, group, memberId };
    }),
  );

  await zk.stopServer(stopped.index);
  // Nobody can tell a partitioned client its session expired: the local timer must (HARD-CASES 4).
  await eventually(() => lost.length === watchers.length, 'every session lost', 30_000);
  await writer.setData(config, JSON.stringify({ n: 2 }));
  await writer.delete(`${children}/a`);
  await writer.create(`${children}/b`, 'b');
  await zk.startServer(stopped.index);

  const expectedMembers = watchers
    .map((w) => `${w.memberId}=${w.memberId}`)
    .sort()
    .join(' ');
  await eventually(
    () =>
      watchers.every(
        ({ watch, cache, group }) =>
          watch.current?.value.n === 2 &&
          [...cache.children.keys()].join() === 'b' &&
          group
            .members()
            .map((m) => `${m.id}=${m.data.toString()}`)
            .join(' ') === expectedMembers,
      ),
    'every view to converge on the new sessions',
    40_000,
  );
  // Each member re-joined with its new session as the owner (HARD-CASES 2, 13).
  for (const { session, memberId } of watchers) {
    expect(session.generation).toBeGreaterThan(1);
    const stat = await writer.exists(`${groupPath}/${memberId}`);
    expect(stat?.ephemeralOwner).toBe(session.sessionId);
  }
});
