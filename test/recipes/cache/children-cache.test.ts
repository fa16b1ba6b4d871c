/**
 * ChildrenCache against a real standalone ZooKeeper, on persistent recursive watches (wire),
 * forced one-time watches (wire) and the native transport's one-time fallback.
 */
import { describe, expect, test } from 'vitest';
import {
  type ChildData,
  ChildrenCache,
  type ChildrenChange,
} from '../../../src/recipes/children-cache.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import type { Session } from '../../../src/session/session.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track, VARIANTS } from './helpers.js';

const zk = useZooKeeper();

let unique = 0;
const nextPath = () => `/cache/p${++unique}`;

/** `name=data` of every child, sorted: comparable with `truth()`. */
function contents(children: ReadonlyMap<string, ChildData>): string {
  return [...children]
    .map(([name, c]) => `${name}=${c.data.toString()}`)
    .sort()
    .join(' ');
}

/** `name=data` of the true children of `path`, sorted, as `session` reads them. */
async function truth(session: Session, path: string): Promise<string> {
  const { children } = await session.getChildren(path);
  const entries = await Promise.all(
    children.map(async (c) => `${c}=${(await session.getData(`${path}/${c}`)).data.toString()}`),
  );
  return entries.sort().join(' ');
}

describe.each(VARIANTS)('ChildrenCache ($name)', ({ transport, watchMode }) => {
  const cacheOn = async (path: string) => {
    const session = await connect(zk.connectString, { transport });
    const cache = track(new ChildrenCache(session, path, { watchMode }));
    const changes: ChildrenChange[] = [];
    cache.on('change', (c) => changes.push(c));
    await cache.start();
    return { session, cache, changes };
  };

  test('children added, updated and removed, each reported once', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(`${path}/a`, 'a0', { createParents: true });
    const { cache, changes } = await cacheOn(path);
    expect(contents(cache.children)).toBe('a=a0');
    expect(cache.watchMode).toBe(
      transport === 'wire' && watchMode === 'auto' ? 'persistent' : 'oneTime',
    );

    await writer.create(`${path}/b`, 'b0');
    await eventually(() => cache.children.has('b'), 'b added');
    await writer.setData(`${path}/a`, 'a1');
    await eventually(() => cache.children.get('a')?.data.toString() === 'a1', 'a updated');
    await writer.delete(`${path}/b`);
    await eventually(() => !cache.children.has('b'), 'b removed');

    const names = (c: ChildrenChange) => ({
      added: c.added.map((e) => e.name),
      removed: c.removed.map((e) => e.name),
      updated: c.updated.map((e) => e.name),
    });
    expect(changes.map(names)).toEqual([
      { added: ['a'], removed: [], updated: [] },
      { added: ['b'], removed: [], updated: [] },
      { added: [], removed: [], updated: ['a'] },
      { added: [], removed: ['b'], updated: [] },
    ]);
    expect(changes[3]!.removed[0]!.data.toString()).toBe('b0');
  });

  test('many fast changes converge; grandchildren are not cached', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.ensurePath(path);
    const { cache } = await cacheOn(path);
    const ops: Promise<unknown>[] = [];
    for (let i = 0; i < 30; i++) ops.push(writer.create(`${path}/c${i}`, `v${i}`));
    await Promise.all(ops);
    await writer.create(`${path}/c1/grandchild`, 'deep');
    await writer.setData(`${path}/c1/grandchild`, 'deeper');
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 2 === 0 ? writer.delete(`${path}/c${i + 10}`) : writer.setData(`${path}/c${i}`, 'x'),
      ),
    );
    const expected = await truth(writer, path);
    await eventually(() => contents(cache.children) === expected, 'the cache to match ZooKeeper');
    expect(expected.split(' ')).toHaveLength(25);
  });

  test('the parent deleted and re-created: emptied, then filled again', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(`${path}/a`, 'a', { createParents: true });
    const { cache } = await cacheOn(path);
    await writer.delete(`${path}/a`);
    await writer.delete(path);
    await eventually(() => cache.children.size === 0, 'the cache to empty');
    await writer.create(`${path}/b`, 'b', { createParents: true });
    await eventually(() => cache.children.has('b'), 'the re-created parent');
    await writer.create(`${path}/c`, 'c');
    await eventually(() => cache.children.has('c'), 'a later child');
  });

  test('a child deleted and re-created under the same name is an update', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(`${path}/a`, 'same', { createParents: true });
    const { cache } = await cacheOn(path);
    const before = cache.children.get('a')!.stat.czxid;
    await writer.delete(`${path}/a`);
    await writer.create(`${path}/a`, 'same');
    const czxid = (await writer.exists(`${path}/a`))!.czxid;
    expect(czxid).not.toBe(before);
    await eventually(() => cache.children.get('a')?.stat.czxid === czxid, 'the new node');
  });

  test('session expiry: the cache converges on the new session', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(`${path}/a`, 'a', { createParents: true });
    await writer.create(`${path}/b`, 'b');
    const { session, cache } = await cacheOn(path);
    // An ephemeral child of the cache's own session goes with it.
    await session.create(`${path}/mine`, 'm', { mode: 'ephemeral' });
    await eventually(() => cache.children.has('mine'), 'own child listed');
    await expireSession(session);
    await writer.delete(`${path}/a`);
    await writer.setData(`${path}/b`, 'b1');
    await writer.create(`${path}/c`, 'c');
    await eventually(() => session.generation === 2, 'the new session');
    await eventually(
      () => contents(cache.children) === 'b=b1 c=c',
      'the cache to converge after expiry',
    );
    await writer.create(`${path}/d`, 'd');
    await eventually(() => cache.children.has('d'), 'a change on the new session');
  });
});

describe('ChildrenCache misuse', () => {
  test('invalid path, calls after close, iteration ends on close', async () => {
    const session = await connect(zk.connectString);
    expect(() => new ChildrenCache(session, '')).toThrow(InvalidArgumentError);
    expect(() => new ChildrenCache(session, '/a/')).toThrow(InvalidArgumentError);
    const cache = new ChildrenCache(session, nextPath());
    await cache.start();
    const iterator = cache[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.size).toBe(0);
    const pending = iterator.next();
    await cache.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    await expect(cache.start()).rejects.toBeInstanceOf(RecipeClosedError);
  });
});
