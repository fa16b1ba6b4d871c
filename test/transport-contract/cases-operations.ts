/** Contract cases: every basic operation, its typical error codes, ordering, and create modes. */
import { expect, test } from 'vitest';
import { ZkError } from '../../src/session/errors.js';
import { OPEN_ACL_UNSAFE, Perms } from '../../src/session/transport/types.js';
import type { ContractContext } from './context.js';
import { bytes, EPHEMERAL, eventually, PERSISTENT, uniquePath } from './helpers.js';

/** Asserts that `promise` rejects with a ZkError of `code` about `path`. */
export async function expectZkError(
  promise: Promise<unknown>,
  code: string,
  path?: string,
): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(ZkError);
  expect((error as ZkError).code).toBe(code);
  if (path !== undefined) expect((error as ZkError).path).toBe(path);
}

export function operationCases(ctx: ContractContext): void {
  test('create, getData, setData, delete: happy path and stats', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('crud');
    const before = Date.now();

    expect(await transport.create(path, bytes('one'), PERSISTENT)).toMatchObject({ path });
    const read = await transport.getData(path);
    expect(read.data.toString()).toBe('one');
    expect(read.stat).toMatchObject({
      version: 0,
      dataLength: 3,
      numChildren: 0,
      ephemeralOwner: 0n,
    });
    expect(typeof read.stat.czxid).toBe('bigint');
    expect(read.stat.mzxid).toBe(read.stat.czxid);
    expect(read.stat.pzxid).toBe(read.stat.czxid);
    expect(read.stat.ctime).toBeGreaterThanOrEqual(before - 60_000);
    expect(read.stat.ctime).toBeLessThanOrEqual(Date.now() + 60_000);

    const set = await transport.setData(path, bytes('two!'), 0);
    expect(set).toMatchObject({ version: 1, dataLength: 4, czxid: read.stat.czxid });
    expect(set.mzxid > read.stat.mzxid).toBe(true);
    // -1 is "any version".
    expect((await transport.setData(path, bytes('three'), -1)).version).toBe(2);
    expect((await transport.exists(path))?.version).toBe(2);

    await transport.delete(path, 2);
    expect(await transport.exists(path)).toBeNull();
  });

  test('empty data reads back as an empty buffer', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('empty');
    await transport.create(path, new Uint8Array(0), PERSISTENT);
    const { data, stat } = await transport.getData(path);
    expect(Buffer.isBuffer(data)).toBe(true);
    expect(data.length).toBe(0);
    expect(stat.dataLength).toBe(0);
    await transport.delete(path, -1);
  });

  test('typical error codes: NONODE, NODEEXISTS, BADVERSION, NOTEMPTY, NOCHILDRENFOREPHEMERALS', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('errors');
    const missing = `${path}-missing`;

    await expectZkError(transport.getData(missing), 'NONODE', missing);
    await expectZkError(transport.setData(missing, bytes('x'), -1), 'NONODE', missing);
    await expectZkError(transport.delete(missing, -1), 'NONODE', missing);
    await expectZkError(transport.getChildren(missing), 'NONODE', missing);
    await expectZkError(transport.create(`${missing}/child`, bytes(''), PERSISTENT), 'NONODE');

    await transport.create(path, bytes(''), PERSISTENT);
    await expectZkError(transport.create(path, bytes(''), PERSISTENT), 'NODEEXISTS', path);
    await expectZkError(transport.setData(path, bytes('x'), 7), 'BADVERSION', path);
    await expectZkError(transport.delete(path, 7), 'BADVERSION', path);

    await transport.create(`${path}/child`, bytes(''), PERSISTENT);
    await expectZkError(transport.delete(path, -1), 'NOTEMPTY', path);

    const ephemeral = `${path}/ephemeral`;
    await transport.create(ephemeral, bytes(''), EPHEMERAL);
    await expectZkError(
      transport.create(`${ephemeral}/child`, bytes(''), PERSISTENT),
      'NOCHILDRENFOREPHEMERALS',
    );

    await transport.delete(ephemeral, -1);
    await transport.delete(`${path}/child`, -1);
    await transport.delete(path, -1);
  });

  test('getChildren returns names and the parent stat; exists returns null for a missing node', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('children');
    await transport.create(path, bytes(''), PERSISTENT);
    for (const child of ['a', 'b', 'c'])
      await transport.create(`${path}/${child}`, bytes(''), PERSISTENT);

    const { children, stat } = await transport.getChildren(path);
    expect([...children].sort()).toEqual(['a', 'b', 'c']);
    expect(stat.numChildren).toBe(3);
    expect(stat.cversion).toBe(3);
    expect(await transport.exists(`${path}/d`)).toBeNull();
    expect((await transport.exists(`${path}/a`))?.version).toBe(0);
  });

  test('sync, getAcl, setAcl and addAuth', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('acl');
    await transport.create(path, bytes(''), PERSISTENT);
    await transport.sync(path);

    const { acl, stat } = await transport.getAcl(path);
    expect(acl).toEqual(OPEN_ACL_UNSAFE);
    expect(stat.aversion).toBe(0);

    // No WRITE: setData is refused; ADMIN stays so that the second setAcl reaches the version check.
    const readOnly = [
      { perms: Perms.READ | Perms.DELETE | Perms.ADMIN, scheme: 'world', id: 'anyone' },
    ];
    expect((await transport.setAcl(path, readOnly, 0)).aversion).toBe(1);
    await expectZkError(transport.setAcl(path, readOnly, 0), 'BADVERSION', path);
    expect((await transport.getAcl(path)).acl).toEqual(readOnly);
    await expectZkError(transport.setData(path, bytes('x'), -1), 'NOAUTH', path);

    await transport.addAuth('digest', bytes('contract:secret'));
    await transport.delete(path, -1);
  });

  test('1000 pipelined operations resolve in the order they were issued', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('order');
    await transport.create(path, bytes(''), PERSISTENT);

    const order: number[] = [];
    const versions = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        (i % 2 === 0 ? transport.setData(path, bytes(String(i)), -1) : transport.exists(path)).then(
          (stat) => {
            order.push(i);
            return stat!.version;
          },
        ),
      ),
    );
    expect(order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // A read sees every write issued before it, and no later one.
    versions.forEach((version, i) => {
      expect(version).toBe(Math.floor(i / 2) + 1);
    });
  });
}

export function modeCases(ctx: ContractContext): void {
  test('ephemeral nodes belong to the session and vanish when the transport closes', async () => {
    const { transport, state } = await ctx.pool.connect(ctx.zk.connectString);
    const { transport: observer } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('ephemeral');
    await transport.create(path, bytes(''), EPHEMERAL);
    expect((await observer.exists(path))?.ephemeralOwner).toBe(state.sessionId);

    await transport.close();
    await eventually(
      async () => (await observer.exists(path)) === null,
      'ephemeral node deleted',
      5_000,
    );
  });

  test('sequential modes append a 10-digit counter', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const parent = uniquePath('sequential');
    await transport.create(parent, bytes(''), PERSISTENT);

    const first = await transport.create(`${parent}/p-`, bytes(''), {
      mode: 'persistentSequential',
      acl: OPEN_ACL_UNSAFE,
    });
    const second = await transport.create(`${parent}/e-`, bytes(''), {
      mode: 'ephemeralSequential',
      acl: OPEN_ACL_UNSAFE,
    });
    expect(first.path).toBe(`${parent}/p-0000000000`);
    expect(second.path).toBe(`${parent}/e-0000000001`);
    expect((await transport.exists(second.path))?.ephemeralOwner).not.toBe(0n);
  });

  test('container nodes can be created and hold children', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('container');
    expect(
      (await transport.create(path, bytes(''), { mode: 'container', acl: OPEN_ACL_UNSAFE })).path,
    ).toBe(path);
    await transport.create(`${path}/child`, bytes(''), PERSISTENT);
    expect((await transport.getChildren(path)).children).toEqual(['child']);
  });

  // The harness starts servers with extended types on (without them ZooKeeper 3.8 refuses TTL
  // creates with UNIMPLEMENTED). The server hides the TTL itself: the stat reports no owner.
  test('TTL modes create TTL nodes', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('ttl');
    const ttl = { acl: OPEN_ACL_UNSAFE, ttlMs: 10_000 };
    await transport.create(path, bytes('t'), { mode: 'persistentWithTtl', ...ttl });
    const sequential = await transport.create(`${path}-`, bytes('t'), {
      mode: 'persistentSequentialWithTtl',
      ...ttl,
    });
    expect(sequential.path).toMatch(/-\d{10}$/);
    for (const p of [path, sequential.path]) {
      expect((await transport.getData(p)).data.toString()).toBe('t');
    }
  });
}
