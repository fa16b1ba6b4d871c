/**
 * Discovery through a partition longer than the session (HARD-CASES 4, 13, 16): the server is
 * stopped until the client declares its session lost by its own timer, an update is made
 * meanwhile, the server comes back still holding the old session and its node. The registry
 * must re-register on its new session with the latest data, without fighting the old node, and
 * a locator must converge to that one instance.
 */
import { describe, expect, test } from 'vitest';
import { ServiceLocator } from '../../../src/recipes/service-locator.js';
import { ServiceRegistry } from '../../../src/recipes/service-registry.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, stored, track } from './helpers.js';

const zk = useZooKeeper();

describe('discovery through a partition', () => {
  test('the registration comes back on the new session with the update made while partitioned', async () => {
    const session = await connect(zk.connectString, { sessionTimeoutMs: 2_000 });
    const registry = track(new ServiceRegistry(session, '/partition'));
    const observer = await connect(zk.connectString, { sessionTimeoutMs: 4_000 });
    const locator = track(new ServiceLocator(observer, '/partition', 'svc'));
    await locator.start();
    const instance = await registry.register({ name: 'svc', id: 'x', address: 'h', port: 1 });
    await eventually(() => locator.all().length === 1, 'the instance');
    const states: string[] = [];
    session.on('state', (e) => states.push(`${e.state}${e.reason ? `:${e.reason}` : ''}`));
    const errors: Error[] = [];
    registry.on('error', (e) => errors.push(e));

    await zk.stopServer(0);
    await eventually(() => states.includes('lost:timeout'), 'the local timer to declare lost');
    await registry.update({ ...instance, port: 2 }); // no server: kept for the re-registration
    await zk.startServer(0);

    await eventually(
      () => locator.all().length === 1 && locator.all()[0]?.port === 2,
      'the locator to see the latest data',
      30_000,
    );
    const node = await stored(observer, '/partition/svc/x');
    expect(node?.stat.ephemeralOwner).toBe(session.sessionId);
    expect(node?.instance.port).toBe(2);
    expect(session.generation).toBe(2);
    expect(errors).toEqual([]);
  });
});
