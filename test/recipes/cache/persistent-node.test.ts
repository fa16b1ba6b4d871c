/**
 * PersistentNode against a real standalone ZooKeeper: kept in place after deletes and session
 * expiry, with its latest data; sequential names; a path held by another session; close.
 */
import { describe, expect, test } from 'vitest';
import { PersistentNode } from '../../../src/recipes/persistent-node.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track } from './helpers.js';

const zk = useZooKeeper();

let unique = 0;
const nextPath = () => `/nodes/g${++unique}/member`;

/** The data of `path` as text, or undefined if it does not exist. */
async function dataOf(session: Awaited<ReturnType<typeof connect>>, path: string) {
  return session.getData(path).then(
    (r) => r.data.toString(),
    () => undefined,
  );
}

describe.each(['wire', 'native'] as const)('PersistentNode (%s)', (transport) => {
  test('created with container parents; deleted by someone else: re-created with the latest data', async () => {
    const session = await connect(zk.connectString, { transport });
    const other = await connect(zk.connectString);
    const path = nextPath();
    const node = track(new PersistentNode(session, path, 'v1'));
    const events: string[] = [];
    node.on('created', (e) => events.push(`created ${e.path}`));
    node.on('deleted', (e) => events.push(`deleted ${e.reason}`));
    await node.start();
    expect(node.path).toBe(path);
    const stat = (await other.exists(path))!;
    expect(stat.ephemeralOwner).toBe(session.sessionId);
    expect(await dataOf(other, path)).toBe('v1');

    await node.setData('v2');
    expect(await dataOf(other, path)).toBe('v2');
    await other.delete(path);
    await eventually(() => events.length === 3, 'the re-creation');
    expect(events).toEqual([`created ${path}`, 'deleted deleted', `created ${path}`]);
    expect(await dataOf(other, path)).toBe('v2');
    expect(node.state.kind).toBe('present');

    await node.close();
    await eventually(() => events.length === 3 && node.state.kind === 'closed', 'close');
    expect(await other.exists(path)).toBeNull();
  });

  test('session expired: re-created on the new session with the latest data', async () => {
    const session = await connect(zk.connectString, { transport });
    const other = await connect(zk.connectString);
    const path = nextPath();
    const node = track(new PersistentNode(session, path, 'v1'));
    const deleted: string[] = [];
    node.on('deleted', (e) => deleted.push(e.reason));
    await node.start();
    await expireSession(session);
    await node.setData('v2'); // while the session is being replaced
    await eventually(() => session.generation === 2 && node.isPresent, 'the new node');
    const stat = (await other.exists(path))!;
    expect(stat.ephemeralOwner).toBe(session.sessionId);
    expect(await dataOf(other, path)).toBe('v2');
    // Once, as `sessionLost`, or as `deleted` when the server's delete of the expired
    // session's node reached our watch before the client heard of the expiry.
    expect(deleted).toHaveLength(1);
  });
});

describe('PersistentNode (wire)', () => {
  test('sequential mode: protected names, a new one after each re-creation', async () => {
    const session = await connect(zk.connectString);
    const other = await connect(zk.connectString);
    const base = nextPath();
    const node = track(
      new PersistentNode(session, `${base}-`, 'x', { mode: 'ephemeralSequential' }),
    );
    await node.start();
    const first = node.path!;
    expect(first).toMatch(/\/_c_[0-9a-f-]{36}-member-\d{10}$/);
    await other.delete(first);
    await eventually(() => node.path !== undefined && node.path !== first, 'a new node');
    expect((await other.getChildren(base.slice(0, base.lastIndexOf('/')))).children).toHaveLength(
      1,
    );
  });

  test('a path held by another session: occupied until it goes, then ours', async () => {
    const session = await connect(zk.connectString);
    const holder = await connect(zk.connectString);
    const path = nextPath();
    await holder.create(path, 'theirs', { mode: 'ephemeral', createParents: true });
    const node = track(new PersistentNode(session, path, 'ours'));
    const started = node.start();
    await eventually(() => node.state.kind === 'occupied', 'occupied');
    expect(await dataOf(holder, path)).toBe('theirs');
    await holder.close();
    await started;
    expect(await dataOf(session, path)).toBe('ours');
  });

  test('persistent mode with keepOnClose: the node stays', async () => {
    const session = await connect(zk.connectString);
    const path = nextPath();
    const node = new PersistentNode(session, path, 'kept', {
      mode: 'persistent',
      keepOnClose: true,
    });
    await node.start();
    await node.close();
    expect((await session.exists(path))?.ephemeralOwner).toBe(0n);
    await session.delete(path);
  });

  test('bad input and calls after close: typed errors', async () => {
    const session = await connect(zk.connectString);
    expect(() => new PersistentNode(session, 'relative')).toThrow(InvalidArgumentError);
    expect(() => new PersistentNode(session, '/')).toThrow(InvalidArgumentError);
    expect(() => new PersistentNode(session, '/x', '', { mode: 'container' as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => new PersistentNode(session, '/x', 42 as never)).toThrow(InvalidArgumentError);
    const node = new PersistentNode(session, nextPath());
    await node.start();
    expect(() => node.setData({} as never)).toThrow(InvalidArgumentError);
    await node.close();
    await node.close();
    await expect(node.start()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(node.setData('x')).rejects.toBeInstanceOf(RecipeClosedError);
  });
});
