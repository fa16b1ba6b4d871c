/**
 * ConfigWatch against a real standalone ZooKeeper: convergence of many watchers, deletes and
 * re-creates, bad values, session expiry; on persistent watches (wire), forced one-time watches
 * (wire) and the one-time fallback of the native transport.
 */
import { describe, expect, test } from 'vitest';
import { ConfigWatch, InvalidConfigError } from '../../../src/recipes/config-watch.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track, VARIANTS } from './helpers.js';

const zk = useZooKeeper();

type Config = { n: number };
let unique = 0;
const nextPath = () => `/config/c${++unique}`;

describe.each(VARIANTS)('ConfigWatch ($name)', ({ transport, watchMode }) => {
  const watchOn = async (path: string) => {
    const session = await connect(zk.connectString, { transport });
    const watch = track(new ConfigWatch<Config>(session, path, { watchMode }));
    await watch.start();
    return { session, watch };
  };

  test('uses the expected kind of watch and reads the initial value', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 1 }), { createParents: true });
    const { watch } = await watchOn(path);
    expect(watch.watchMode).toBe(
      transport === 'wire' && watchMode === 'auto' ? 'persistent' : 'oneTime',
    );
    expect(watch.current?.value).toEqual({ n: 1 });
    expect(watch.current?.version).toBe(0);
    expect(watch.state.kind).toBe('watching');
  });

  test('rapid updates: every watcher ends on the final version', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 0 }), { createParents: true });
    const watchers = await Promise.all(Array.from({ length: 10 }, () => watchOn(path)));
    for (let n = 1; n <= 50; n++) await writer.setData(path, JSON.stringify({ n }));
    const final = await writer.exists(path);
    await eventually(
      () => watchers.every(({ watch }) => watch.current?.mzxid === final?.mzxid),
      'every watcher on the final version',
    );
    for (const { watch } of watchers)
      expect(watch.current).toMatchObject({ value: { n: 50 }, version: 50 });
  });

  test('deleted node: undefined and a change event; a re-create is seen', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 1 }), { createParents: true });
    const { watch } = await watchOn(path);
    const changes: (number | undefined)[] = [];
    watch.on('change', ({ current }) => changes.push(current?.value.n));
    await writer.delete(path);
    await eventually(() => watch.current === undefined, 'the deletion');
    const recreated = await writer.create(path, JSON.stringify({ n: 1 }));
    await eventually(() => watch.current !== undefined, 'the re-creation');
    // Same data, same version 0, but a new node: a change (czxid differs).
    expect(watch.current).toMatchObject({ value: { n: 1 }, version: 0 });
    expect(watch.current?.czxid).toBe(recreated.stat?.czxid ?? (await writer.exists(path))?.czxid);
    expect(changes).toEqual([undefined, 1]);
  });

  test('a node that does not exist yet is watched until it is created', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    const { watch } = await watchOn(path);
    expect(watch.current).toBeUndefined();
    await writer.create(path, JSON.stringify({ n: 7 }), { createParents: true });
    await eventually(() => watch.current?.value.n === 7, 'the creation');
  });

  test('a bad value is an error event and the last good value is kept', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 1 }), { createParents: true });
    const session = await connect(zk.connectString, { transport });
    const watch = track(
      new ConfigWatch<Config>(session, path, {
        watchMode,
        validate: (v) => typeof v.n === 'number',
      }),
    );
    const errors: Error[] = [];
    watch.on('error', (e) => errors.push(e));
    await watch.start();
    await writer.setData(path, '{not json');
    await eventually(() => errors.length === 1, 'the parse error');
    await writer.setData(path, JSON.stringify({ n: 'two' }));
    await eventually(() => errors.length === 2, 'the validation error');
    expect(errors[0]).toBeInstanceOf(InvalidConfigError);
    expect(errors[1]).toMatchObject({ name: 'InvalidConfigError', path, version: 2 });
    expect(watch.current).toMatchObject({ value: { n: 1 }, version: 0 });
    await writer.setData(path, JSON.stringify({ n: 3 }));
    await eventually(() => watch.current?.value.n === 3, 'the next good value');
  });

  test('session expiry: changes made meanwhile are seen after the resync on the new session', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 1 }), { createParents: true });
    const { session, watch } = await watchOn(path);
    await expireSession(session);
    // Delete and re-create with the same version: only czxid tells it apart.
    await writer.delete(path);
    const again = await writer.create(path, JSON.stringify({ n: 2 }));
    await eventually(() => session.generation === 2, 'the new session');
    await eventually(() => watch.current?.value.n === 2, 'the value after expiry');
    expect(watch.current?.czxid).toBe(again.stat?.czxid ?? (await writer.exists(path))?.czxid);
    await writer.setData(path, JSON.stringify({ n: 3 }));
    await eventually(() => watch.current?.value.n === 3, 'a change on the new session');
  });
});

describe('ConfigWatch iteration and misuse', () => {
  test('the iterator yields the current value, then changes; break cleans up', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, JSON.stringify({ n: 0 }), { createParents: true });
    const session = await connect(zk.connectString);
    const watch = track(new ConfigWatch<Config>(session, path));
    await watch.start();
    const seen: (number | undefined)[] = [];
    for await (const config of watch) {
      seen.push(config?.value.n);
      if (config?.value.n === 2) break;
      await writer.setData(path, JSON.stringify({ n: (config?.value.n ?? 0) + 1 }));
    }
    expect(seen).toEqual([0, 1, 2]);
    // A second iterator starts at the current value; close ends it.
    const iterator = watch[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.value).toEqual({ n: 2 });
    const pending = iterator.next();
    await watch.close();
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  test('custom parser, invalid path, calls after close', async () => {
    const writer = await connect(zk.connectString);
    const path = nextPath();
    await writer.create(path, 'level=3', { createParents: true });
    const session = await connect(zk.connectString);
    expect(() => new ConfigWatch(session, 'no/slash')).toThrow(InvalidArgumentError);
    expect(() => new ConfigWatch(session, '/a//b')).toThrow(InvalidArgumentError);
    const watch = new ConfigWatch(session, path, {
      parse: (data) => Number(data.toString().split('=')[1]),
    });
    await watch.start();
    expect(watch.current?.value).toBe(3);
    await watch.close();
    await watch.close(); // idempotent
    expect(watch.state.kind).toBe('closed');
    await expect(watch.start()).rejects.toBeInstanceOf(RecipeClosedError);
    await expect(watch.ready()).rejects.toBeInstanceOf(RecipeClosedError);
  });

  test('ready() honours a timeout, and closing the session closes the watch', async () => {
    const session = await connect(zk.connectString);
    const watch = track(new ConfigWatch(session, nextPath()));
    await expect(watch.ready({ timeoutMs: 50 })).rejects.toMatchObject({ name: 'TimeoutError' });
    await watch.start();
    await session.close();
    await eventually(() => watch.state.kind === 'closed', 'the watch to close');
  });
});
