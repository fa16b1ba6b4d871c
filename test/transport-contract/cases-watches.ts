/** Contract cases: one-time watches fire once, with the right type and path, for any client's change. */
import { expect, test } from 'vitest';
import type { ContractContext } from './context.js';
import { bytes, PERSISTENT, sleep, uniquePath, WatchRecorder } from './helpers.js';

/** How long to wait to be sure that a one-time watch does not fire a second time. */
const QUIET_MS = 300;

export function watchCases(ctx: ContractContext): void {
  test('exists on a missing node fires created, once', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const { transport: other } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('watch-created');
    const recorder = new WatchRecorder();

    expect(await transport.exists(path, recorder.watcher)).toBeNull();
    await other.create(path, bytes(''), PERSISTENT);
    expect(await recorder.waitFor(1)).toEqual([{ type: 'created', path }]);

    await other.setData(path, bytes('x'), -1);
    await other.delete(path, -1);
    await sleep(QUIET_MS);
    expect(recorder.events).toHaveLength(1);
  });

  test('getData fires dataChanged, once', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const { transport: other } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('watch-data');
    await transport.create(path, bytes(''), PERSISTENT);
    const recorder = new WatchRecorder();

    await transport.getData(path, recorder.watcher);
    await other.setData(path, bytes('1'), -1);
    expect(await recorder.waitFor(1)).toEqual([{ type: 'dataChanged', path }]);

    await other.setData(path, bytes('2'), -1);
    await sleep(QUIET_MS);
    expect(recorder.events).toHaveLength(1);
  });

  test('getData and exists fire deleted', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('watch-deleted');
    await transport.create(path, bytes(''), PERSISTENT);
    const data = new WatchRecorder();
    const exists = new WatchRecorder();

    await transport.getData(path, data.watcher);
    await transport.exists(path, exists.watcher);
    await transport.delete(path, -1);
    expect(await data.waitFor(1)).toEqual([{ type: 'deleted', path }]);
    expect(await exists.waitFor(1)).toEqual([{ type: 'deleted', path }]);
  });

  test('getChildren fires childrenChanged, once, and not for data changes', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('watch-children');
    await transport.create(path, bytes(''), PERSISTENT);
    const recorder = new WatchRecorder();

    await transport.getChildren(path, recorder.watcher);
    await transport.setData(path, bytes('x'), -1);
    await transport.create(`${path}/a`, bytes(''), PERSISTENT);
    expect(await recorder.waitFor(1)).toEqual([{ type: 'childrenChanged', path }]);

    await transport.create(`${path}/b`, bytes(''), PERSISTENT);
    await sleep(QUIET_MS);
    expect(recorder.events).toHaveLength(1);
  });

  test('a getData that fails with NONODE leaves no watch', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('watch-failed');
    const data = new WatchRecorder();

    await expect(transport.getData(path, data.watcher)).rejects.toMatchObject({ code: 'NONODE' });
    await transport.create(path, bytes(''), PERSISTENT);
    await sleep(QUIET_MS);
    expect(data.events).toEqual([]);
  });
}
