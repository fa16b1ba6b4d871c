/**
 * Wire-transport features beyond the shared contract, against a standalone server: multi's
 * all-or-nothing results, multiRead, chroot, getEphemerals, removeWatches events, and the frame
 * size limit.
 */
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import {
  ConnectionLossError,
  ProtocolError,
  ZK_ERROR_CODES,
  ZkError,
} from '../../src/session/errors.js';
import { validatePath } from '../../src/session/paths.js';
import { CREATOR_ALL_ACL, OPEN_ACL_UNSAFE } from '../../src/session/transport/types.js';
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import {
  bytes,
  EPHEMERAL,
  PERSISTENT,
  TransportPool,
  uniquePath,
  WatchRecorder,
  waitForState,
} from '../transport-contract/helpers.js';

let zk: ZooKeeperCluster;
const pool = new TransportPool(wireTransport);

beforeAll(async () => {
  zk = await startZooKeeper();
});
afterEach(() => pool.closeAll());
afterAll(() => zk?.stop());

test("the client's path rules are the server's: a path passes validatePath exactly when the server takes it", async () => {
  const { transport } = await pool.connect(zk.connectString);
  const base = uniquePath('paths');
  await transport.create(base, bytes(''), PERSISTENT);
  const names = [
    'é',
    'e\u{1F600}',
    'a\u0007',
    'a\u007f',
    'a\u0085',
    'x\ue000',
    'x\ufff0',
    'x\ufffd',
  ];
  const segments = ['.', '..', '...', '.a', 'a.', '..a', 'a b'];
  for (const name of [...names, ...segments]) {
    const path = `${base}/${name}`;
    let client = true;
    try {
      validatePath(path);
    } catch {
      client = false;
    }
    // Straight to the transport: the server judges the path itself.
    const server = await transport.create(path, bytes(''), PERSISTENT).then(
      () => true,
      (err: unknown) => {
        if (err instanceof ZkError && err.code === 'BADARGUMENTS') return false;
        throw err;
      },
    );
    expect({ name, accepted: client }).toEqual({ name, accepted: server });
  }
});

test('multi is all-or-nothing: a failing check aborts the creates, with per-op results', async () => {
  const { transport } = await pool.connect(zk.connectString);
  const base = uniquePath('multi');
  await transport.create(base, bytes(''), PERSISTENT);

  const failed = await transport.multi([
    { op: 'create', path: `${base}/a`, data: bytes('a'), options: PERSISTENT },
    { op: 'check', path: base, version: 7 },
    { op: 'create', path: `${base}/b`, data: bytes('b'), options: PERSISTENT },
  ]);
  expect(failed).toEqual([
    { op: 'error', code: 0 },
    { op: 'error', code: ZK_ERROR_CODES.BADVERSION },
    { op: 'error', code: ZK_ERROR_CODES.RUNTIMEINCONSISTENCY },
  ]);
  expect(await transport.exists(`${base}/a`)).toBeNull();
  expect(await transport.exists(`${base}/b`)).toBeNull();

  const ok = await transport.multi([
    { op: 'check', path: base, version: 0 },
    {
      op: 'create',
      path: `${base}/s-`,
      data: bytes('a'),
      options: { mode: 'persistentSequential', acl: OPEN_ACL_UNSAFE },
    },
    { op: 'setData', path: base, data: bytes('x'), version: 0 },
    { op: 'create', path: `${base}/gone`, data: bytes(''), options: PERSISTENT },
    { op: 'delete', path: `${base}/gone`, version: 0 },
  ]);
  expect(ok[0]).toEqual({ op: 'check' });
  expect(ok[1]).toMatchObject({ op: 'create', path: `${base}/s-0000000000` });
  expect(ok[2]).toMatchObject({ op: 'setData', stat: { version: 1 } });
  expect(ok[4]).toEqual({ op: 'delete' });
  expect((await transport.getChildren(base)).children).toEqual(['s-0000000000']);
});

test('multiRead returns data, children and per-op errors', async () => {
  const { transport } = await pool.connect(zk.connectString);
  const base = uniquePath('multiread');
  await transport.create(base, bytes('top'), PERSISTENT);
  await transport.create(`${base}/c`, bytes(''), PERSISTENT);
  const results = await transport.multiRead([
    { op: 'getData', path: base },
    { op: 'getChildren', path: base },
    { op: 'getData', path: `${base}/missing` },
  ]);
  expect(results[0]).toMatchObject({ op: 'getData', stat: { numChildren: 1 } });
  expect((results[0] as { data: Buffer }).data.toString()).toBe('top');
  expect(results[1]).toEqual({ op: 'getChildren', children: ['c'] });
  expect(results[2]).toEqual({ op: 'error', code: ZK_ERROR_CODES.NONODE });
});

test('chroot: paths are prefixed going out and stripped coming back', async () => {
  const { transport: root } = await pool.connect(zk.connectString);
  const chroot = uniquePath('chroot');
  await root.create(chroot, bytes(''), PERSISTENT);
  const { transport } = await pool.connect(`${zk.connectString}${chroot}`);

  expect((await transport.create('/a', bytes('1'), PERSISTENT)).path).toBe('/a');
  expect((await root.getData(`${chroot}/a`)).data.toString()).toBe('1');
  expect((await transport.getChildren('/')).children).toEqual(['a']);
  const seq = await transport.create('/a/e-', bytes(''), {
    mode: 'ephemeralSequential',
    acl: OPEN_ACL_UNSAFE,
  });
  expect(seq.path).toBe('/a/e-0000000000');
  expect(await transport.getEphemerals('/')).toEqual(['/a/e-0000000000']);

  const watch = new WatchRecorder();
  const recursive = new WatchRecorder();
  await transport.getData('/a', watch.watcher);
  await transport.addWatch('/', 'persistentRecursive', recursive.watcher);
  await root.setData(`${chroot}/a`, bytes('2'), -1);
  expect(await watch.waitFor(1)).toEqual([{ type: 'dataChanged', path: '/a' }]);
  expect(await recursive.waitFor(1)).toEqual([{ type: 'dataChanged', path: '/a' }]);

  const multi = await transport.multi([
    { op: 'create', path: '/m', data: bytes(''), options: PERSISTENT },
  ]);
  expect(multi[0]).toMatchObject({ op: 'create', path: '/m' });
  expect(await root.exists(`${chroot}/m`)).not.toBeNull();
});

test('getEphemerals lists this session’s ephemeral nodes under a prefix', async () => {
  const { transport } = await pool.connect(zk.connectString);
  const { transport: other } = await pool.connect(zk.connectString);
  const base = uniquePath('ephemerals');
  await transport.create(base, bytes(''), PERSISTENT);
  await transport.create(`${base}/mine-1`, bytes(''), EPHEMERAL);
  await transport.create(`${base}/mine-2`, bytes(''), EPHEMERAL);
  await other.create(`${base}/theirs`, bytes(''), EPHEMERAL);
  expect([...(await transport.getEphemerals(base))].sort()).toEqual([
    `${base}/mine-1`,
    `${base}/mine-2`,
  ]);
  expect(await transport.getEphemerals(`${base}/mine-2`)).toEqual([`${base}/mine-2`]);
  expect(await other.getEphemerals(base)).toEqual([`${base}/theirs`]);
});

test('removeWatches tells each removed watcher, and persistent watches go with "any"', async () => {
  const { transport } = await pool.connect(zk.connectString);
  const path = uniquePath('remove');
  await transport.create(path, bytes(''), PERSISTENT);
  const data = new WatchRecorder();
  const persistent = new WatchRecorder();
  await transport.getData(path, data.watcher);
  await transport.addWatch(path, 'persistent', persistent.watcher);
  await transport.removeWatches(path, 'any');
  expect(await data.waitFor(1)).toEqual([{ type: 'dataWatchRemoved', path }]);
  expect(await persistent.waitFor(1)).toEqual([{ type: 'persistentWatchRemoved', path }]);
  await transport.setData(path, bytes('x'), -1);
  await new Promise((r) => setTimeout(r, 200));
  expect(data.events).toHaveLength(1);
  expect(persistent.events).toHaveLength(1);
});

test('a reply over maxFrameBytes drops the connection with a ProtocolError; the session carries on', async () => {
  const { transport: writer } = await pool.connect(zk.connectString);
  const path = uniquePath('big');
  await writer.create(path, Buffer.alloc(8192, 1), PERSISTENT);
  const { transport, state } = await pool.connect(zk.connectString, { maxFrameBytes: 4096 });
  const disconnected = waitForState(transport, 'disconnected');

  const error = await transport.getData(path).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectionLossError);
  expect((error as Error).cause).toBeInstanceOf(ProtocolError);
  expect((await disconnected).error).toBeInstanceOf(ProtocolError);
  const again = await waitForState(transport, 'connected');
  expect(again.sessionId).toBe(state.sessionId);
  expect((await transport.exists(path))?.dataLength).toBe(8192);
});

test('auth is sent again after a reconnect, before other requests', async () => {
  const { transport } = await pool.connect(zk.connectString, { sessionTimeoutMs: 20_000 });
  const { transport: stranger } = await pool.connect(zk.connectString);
  const path = uniquePath('auth');
  await transport.addAuth('digest', bytes('wire:secret'));
  await transport.create(path, bytes('private'), { mode: 'persistent', acl: CREATOR_ALL_ACL });
  await expect(stranger.getData(path)).rejects.toMatchObject({ code: 'NOAUTH' });

  await zk.restartServer(0);
  await waitForState(transport, 'connected');
  expect((await transport.getData(path)).data.toString()).toBe('private');
  await transport.delete(path, -1);
});

test('thousands of watches survive a reconnect: SetWatches is split into frames under the limit', async () => {
  const { transport } = await pool.connect(zk.connectString, { sessionTimeoutMs: 20_000 });
  const { transport: other } = await pool.connect(zk.connectString);
  const base = uniquePath('many-watches');
  await transport.create(base, bytes(''), PERSISTENT);
  // 6000 paths of ~230 bytes: 1.4 MB of paths, more than one frame may carry (jute.maxbuffer 1 MB).
  const paths = Array.from({ length: 6000 }, (_, i) => `${base}/${'w'.repeat(180)}-${i}`);
  const recorders = paths.map(() => new WatchRecorder());
  await Promise.all(paths.map((p, i) => transport.exists(p, recorders[i]!.watcher)));

  await zk.restartServer(0);
  await waitForState(transport, 'connected');
  await waitForState(other, 'connected');
  const changed = [0, 2999, 5999];
  for (const i of changed) await other.create(paths[i]!, bytes(''), PERSISTENT);
  for (const i of changed)
    expect(await recorders[i]!.waitFor(1)).toEqual([{ type: 'created', path: paths[i] }]);
});
