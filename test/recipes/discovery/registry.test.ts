/**
 * ServiceRegistry against a real standalone ZooKeeper: the znode layout and JSON of
 * curator-x-discovery, re-registration with the latest data after expiry and after a delete
 * (HARD-CASES 9, 13, 16), NodeExists at register, PERMANENT kept on close, bad input.
 */
import { describe, expect, test } from 'vitest';
import { ServiceNotRegisteredError } from '../../../src/recipes/discovery/errors.js';
import { ServiceRegistry } from '../../../src/recipes/service-registry.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { TRANSPORTS } from '../../support/transports.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, stored, track, until } from './helpers.js';

const zk = useZooKeeper();

describe('ServiceRegistry', () => {
  test('registers in Curator layout: ephemeral node, exact JSON, container parents', async () => {
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, '/layout'));
    const registered: string[] = [];
    registry.on('registered', (e) => registered.push(e.path));
    const instance = await registry.register({
      name: 'db',
      id: 'db-1',
      address: '10.0.0.5',
      port: 5432,
      registrationTimeUTC: 1769292890155,
    });
    expect(instance.id).toBe('db-1');
    const node = await stored(session, '/layout/db/db-1');
    expect(node?.json).toBe(
      '{"name":"db","id":"db-1","address":"10.0.0.5","port":5432,"sslPort":null,"payload":null,' +
        '"registrationTimeUTC":1769292890155,"serviceType":"DYNAMIC","uriSpec":null}',
    );
    expect(node?.stat.ephemeralOwner).toBe(session.sessionId);
    expect(registered).toEqual(['/layout/db/db-1']);
    expect(registry.instances()).toEqual([instance]);
    // A random UUID when no id is given.
    const other = await registry.register({ name: 'db', address: 'h' });
    expect((await stored(session, `/layout/db/${other.id}`))?.instance.id).toBe(other.id);
  });

  test('close() unregisters DYNAMIC and STATIC, keeps PERMANENT; unregister deletes PERMANENT', async () => {
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, '/close'));
    for (const serviceType of ['DYNAMIC', 'STATIC', 'PERMANENT'] as const)
      await registry.register({ name: 's', id: serviceType, address: 'h', serviceType });
    expect((await stored(session, '/close/s/STATIC'))?.stat.ephemeralOwner).toBe(0n);
    await registry.close();
    const left = (await session.getChildren('/close/s')).children;
    expect(left).toEqual(['PERMANENT']);

    const again = track(new ServiceRegistry(session, '/close'));
    // Registering over our persistent node writes the new data in place (same czxid).
    const before = await stored(session, '/close/s/PERMANENT');
    await again.register({ name: 's', id: 'PERMANENT', address: 'h2', serviceType: 'PERMANENT' });
    const after = await stored(session, '/close/s/PERMANENT');
    expect(after?.instance.address).toBe('h2');
    expect(after?.stat.czxid).toBe(before?.stat.czxid);
    await again.unregister('PERMANENT');
    expect(await session.exists('/close/s/PERMANENT')).toBeNull();
  });

  test.each(TRANSPORTS)(
    'after expiry every instance is re-registered with its latest data (%s)',
    async (transport) => {
      const session = await connect(zk.connectString, { transport });
      const watcher = await connect(zk.connectString);
      const registry = track(new ServiceRegistry(session, `/expiry-${transport}`));
      const events: string[] = [];
      registry.on('deleted', (e) => events.push(`deleted ${e.instance.id} ${e.reason}`));
      registry.on('registered', (e) => events.push(`registered ${e.instance.id}`));
      const a = await registry.register({ name: 's', id: 'a', address: 'h', port: 1 });
      await registry.register({ name: 's', id: 'b', address: 'h', port: 1 });
      await registry.update({ ...a, port: 2, payload: { v: 2 } });
      const oldSession = session.sessionId;

      await expireSession(session);
      await eventually(() => session.sessionId !== oldSession, 'a new session');
      for (const id of ['a', 'b'])
        await eventually(() => events.filter((e) => e === `registered ${id}`).length === 2, id);
      const node = await stored(watcher, `/expiry-${transport}/s/a`);
      expect(node?.instance).toMatchObject({ port: 2, payload: { v: 2 } });
      expect(node?.stat.ephemeralOwner).toBe(session.sessionId);
      expect(events).toContain('deleted a sessionLost');
      expect((await stored(watcher, `/expiry-${transport}/s/b`))?.stat.ephemeralOwner).toBe(
        session.sessionId,
      );
    },
  );

  test.each(TRANSPORTS)(
    'a deleted instance comes back with its latest data (%s)',
    async (transport) => {
      const session = await connect(zk.connectString, { transport });
      const vandal = await connect(zk.connectString);
      const path = `/deleted-${transport}`;
      const registry = track(new ServiceRegistry(session, path));
      const instance = await registry.register({ name: 's', id: 'x', address: 'h' });
      await registry.update({ ...instance, address: 'h2' });
      const before = await stored(vandal, `${path}/s/x`);
      await vandal.delete(`${path}/s/x`);
      let after: Awaited<ReturnType<typeof stored>>;
      await until(async () => {
        after = await stored(vandal, `${path}/s/x`);
        return after !== undefined && after.stat.czxid !== before?.stat.czxid;
      }, 'the instance to be re-created');
      expect(after?.instance.address).toBe('h2');
      expect(after?.stat.ephemeralOwner).toBe(session.sessionId);
    },
  );

  test('NodeExists at register: another session’s node is replaced (Curator)', async () => {
    const session = await connect(zk.connectString);
    const stale = await connect(zk.connectString);
    await stale.create('/exists/s/x', '{"old":true}', { mode: 'ephemeral', createParents: true });
    await stale.create('/exists/s/y', 'persistent', { createParents: true });
    const registry = track(new ServiceRegistry(session, '/exists'));
    await registry.register({ name: 's', id: 'x', address: 'h' });
    await registry.register({ name: 's', id: 'y', address: 'h' }); // DYNAMIC over a persistent node
    for (const id of ['x', 'y']) {
      const node = await stored(session, `/exists/s/${id}`);
      expect(node?.stat.ephemeralOwner).toBe(session.sessionId);
      expect(node?.instance.id).toBe(id);
    }
  });

  test('DYNAMIC_SEQUENTIAL: an ephemeral sequential node whose data names the id', async () => {
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, '/seq'));
    const registered = new Promise<string>((resolve) =>
      registry.once('registered', (e) => resolve(e.path)),
    );
    await registry.register({
      name: 's',
      id: 'w',
      address: 'h',
      serviceType: 'DYNAMIC_SEQUENTIAL',
    });
    const path = await registered;
    expect(path).toMatch(/^\/seq\/s\/_c_[0-9a-f-]{36}-w\d{10}$/);
    const node = await stored(session, path);
    expect(node?.instance).toMatchObject({ id: 'w', serviceType: 'DYNAMIC_SEQUENTIAL' });
    await registry.unregister('w');
    expect((await session.getChildren('/seq/s')).children).toEqual([]);
  });

  test('bad input and calls after close: typed errors, nothing registered', async () => {
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, '/bad'));
    const errors: Error[] = [];
    registry.on('error', (e) => errors.push(e));
    const base = { name: 's', address: 'h' };
    await expect(registry.register({ ...base, name: 'a/b' })).rejects.toThrow(InvalidArgumentError);
    await expect(registry.register({ ...base, id: 'x/y' })).rejects.toThrow(InvalidArgumentError);
    await expect(registry.register({ ...base, id: 'bad\u0001' })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(registry.register({ ...base, payload: 1n as never })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(registry.register({ ...base, payload: 'x'.repeat(2_000_000) })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(registry.update({ ...base, id: 'nobody' })).rejects.toThrow(
      ServiceNotRegisteredError,
    );
    const ok = await registry.register({ ...base, id: 'ok' });
    await expect(registry.update({ ...ok, name: 'other' })).rejects.toThrow(InvalidArgumentError);
    await expect(registry.update({ ...ok, payload: (() => 1) as never })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(registry.update({ ...ok, payload: 'x'.repeat(2_000_000) })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(registry.instances()).toEqual([ok]); // a refused update changes nothing
    await expect(registry.unregister('a/b')).rejects.toThrow(InvalidArgumentError);
    await registry.unregister('never-registered');
    expect((await session.getChildren('/bad/s')).children).toEqual(['ok']);
    expect(() => new ServiceRegistry(session, 'relative')).toThrow(InvalidArgumentError);

    await registry.close();
    await registry.close(); // idempotent
    await expect(registry.register({ ...base, id: 'late' })).rejects.toThrow(RecipeClosedError);
    await expect(registry.update(ok)).rejects.toThrow(RecipeClosedError);
    await expect(registry.unregister('ok')).rejects.toThrow(RecipeClosedError);
    expect(errors).toEqual([]);
  });

  test('closing the session closes the registry', async () => {
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, '/session-closed'));
    await registry.register({ name: 's', id: 'x', address: 'h' });
    await session.close();
    await eventually(() => registry.state.kind === 'closed', 'the registry to close');
    await expect(registry.register({ name: 's', address: 'h' })).rejects.toThrow(RecipeClosedError);
  });
});
