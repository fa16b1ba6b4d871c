/**
 * ServiceLocator against a real standalone ZooKeeper: strategies on live instances, 100
 * instances, a child that is not an instance, a registrar killed with SIGKILL, snapshots through
 * the async iterator, disabled instances, calls after close.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ServiceInstanceParseError } from '../../../src/recipes/discovery/errors.js';
import type { ServiceInstance } from '../../../src/recipes/discovery/instance.js';
import { ServiceLocator } from '../../../src/recipes/service-locator.js';
import { ServiceRegistry } from '../../../src/recipes/service-registry.js';
import { InvalidArgumentError, RecipeClosedError } from '../../../src/session/errors.js';
import { expireSession } from '../../../src/testing/index.js';
import { useZooKeeper } from '../../support/zookeeper.js';
import { connect, eventually, track } from './helpers.js';

const zk = useZooKeeper();

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const REGISTRAR = fileURLToPath(new URL('./fixtures/registrar.ts', import.meta.url));

const ids = (instances: readonly ServiceInstance[]) => instances.map((i) => i.id);

async function registryWith(base: string, name: string, count: number) {
  const session = await connect(zk.connectString);
  const registry = track(new ServiceRegistry(session, base));
  for (let i = 0; i < count; i++)
    await registry.register({ name, id: `i${i}`, address: '127.0.0.1', port: 8000 + i });
  return registry;
}

async function locator(base: string, name: string, options = {}) {
  const session = await connect(zk.connectString);
  const found = track(new ServiceLocator(session, base, name, options));
  await found.start();
  return found;
}

describe('ServiceLocator', () => {
  test('roundRobin, random and sticky over live instances', async () => {
    const registry = await registryWith('/strategies', 's', 3);
    const roundRobin = await locator('/strategies', 's', { strategy: 'roundRobin' });
    const random = await locator('/strategies', 's', { strategy: 'random' });
    const sticky = await locator('/strategies', 's', { strategy: 'sticky' });
    await eventually(() => roundRobin.all().length === 3 && sticky.all().length === 3, '3');

    const turns = Array.from({ length: 6 }, () => roundRobin.getInstance()?.id);
    expect(turns).toEqual(['i0', 'i1', 'i2', 'i0', 'i1', 'i2']);
    await eventually(() => random.all().length === 3, '3 in random');
    const seen = new Set(Array.from({ length: 200 }, () => random.getInstance()?.id));
    expect([...seen].sort()).toEqual(['i0', 'i1', 'i2']);

    const first = sticky.getInstance()?.id;
    for (let i = 0; i < 10; i++) expect(sticky.getInstance()?.id).toBe(first);
    await registry.unregister(first!);
    await eventually(() => sticky.all().length === 2, 'the sticky instance to go');
    const next = sticky.getInstance()?.id;
    expect(next).not.toBe(first);
    for (let i = 0; i < 10; i++) expect(sticky.getInstance()?.id).toBe(next);
  });

  test.each(['auto', 'oneTime'] as const)(
    '100 instances registered: all visible, then all gone (%s watches)',
    async (watchMode) => {
      const found = await locator(`/many-${watchMode}`, 'svc', { watchMode });
      const registry = await registryWith(`/many-${watchMode}`, 'svc', 100);
      await eventually(() => found.all().length === 100, 'all 100');
      const byId = new Map(found.all().map((i) => [i.id, i]));
      expect(byId.get('i42')).toMatchObject({
        name: 'svc',
        address: '127.0.0.1',
        port: 8042,
        serviceType: 'DYNAMIC',
        enabled: true,
      });
      await registry.close();
      await eventually(() => found.all().length === 0, 'all gone');
      expect(found.getInstance()).toBeUndefined();
    },
  );

  test('a child that is not an instance: error event, the others still served', async () => {
    const found = await locator('/garbage', 'svc');
    const errors: Error[] = [];
    found.on('error', (e) => errors.push(e));
    await registryWith('/garbage', 'svc', 2);
    const writer = await connect(zk.connectString);
    await writer.create('/garbage/svc/junk', 'not json at all');
    await eventually(() => errors.length === 1 && found.all().length === 2, 'the error');
    expect(errors[0]).toBeInstanceOf(ServiceInstanceParseError);
    expect((errors[0] as ServiceInstanceParseError).path).toBe('/garbage/svc/junk');
    expect(ids(found.all())).toEqual(['i0', 'i1']);
    expect(['i0', 'i1']).toContain(found.getInstance()?.id);

    // Fixed by a write: it becomes an instance; broken again: it goes.
    await writer.setData('/garbage/svc/junk', '{"name":"svc","id":"junk","address":"h"}');
    await eventually(() => found.all().length === 3, 'the fixed child');
    await writer.setData('/garbage/svc/junk', '{"name":"svc"}');
    await eventually(() => found.all().length === 2 && errors.length === 2, 'broken again');
  });

  test('after its own session expired, the locator converges to the live instances', async () => {
    const registry = await registryWith('/locator-expiry', 'svc', 3);
    const session = await connect(zk.connectString);
    const found = track(new ServiceLocator(session, '/locator-expiry', 'svc'));
    await found.start();
    await eventually(() => found.all().length === 3, 'the 3 instances');
    const added: string[] = [];
    const removed: string[] = [];
    found.on('change', (c) => {
      added.push(...ids(c.added));
      removed.push(...ids(c.removed));
    });
    await expireSession(session);
    // While the locator's session is being replaced, one instance goes and another comes.
    await registry.unregister('i0');
    await registry.register({ name: 'svc', id: 'late', address: 'h' });
    await eventually(() => ids(found.all()).join() === 'i1,i2,late', 'the live instances');
    // The list is kept through the loss and compared after the re-read: no flapping of the
    // instances that stayed (HARD-CASES 12, 13).
    expect({ added, removed }).toEqual({ added: ['late'], removed: ['i0'] });
  });

  test('disabled instances are listed but never picked', async () => {
    const writer = await connect(zk.connectString);
    await writer.create(
      '/disabled/svc/off',
      '{"name":"svc","id":"off","address":"h","enabled":false,"port":1}',
      { createParents: true },
    );
    await writer.create('/disabled/svc/on', '{"name":"svc","id":"on","address":"h"}');
    const found = await locator('/disabled', 'svc', { strategy: 'random' });
    expect(ids(found.all())).toEqual(['off', 'on']);
    for (let i = 0; i < 20; i++) expect(found.getInstance()?.id).toBe('on');
  });

  test('a registrar killed with SIGKILL disappears after its session times out', async () => {
    const found = await locator('/killed', 'svc');
    const child: ChildProcess = spawn(
      process.execPath,
      ['--import', 'tsx', REGISTRAR, zk.connectString, '/killed', 'svc', 'victim', '2000'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += String(chunk);
    });
    child.stderr?.on('data', (chunk) => {
      output += String(chunk);
    });
    try {
      await eventually(() => output.includes('registered victim'), `the child: ${output}`);
      await eventually(() => ids(found.all()).includes('victim'), 'the victim to be listed');
      const removed: string[] = [];
      found.on('change', (c) => removed.push(...ids(c.removed)));
      child.kill('SIGKILL');
      await eventually(() => found.all().length === 0, 'the victim to go', 30_000);
      expect(removed).toEqual(['victim']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the async iterator yields the list, then each change; ends on close', async () => {
    const session = await connect(zk.connectString);
    const found = new ServiceLocator(session, '/iterate', 'svc');
    const registry = track(new ServiceRegistry(session, '/iterate'));
    const snapshots: string[][] = [];
    const done = (async () => {
      for await (const instances of found) {
        snapshots.push(ids(instances));
        if (instances.length === 2) void found.close();
      }
    })();
    await found.start();
    await registry.register({ name: 'svc', id: 'a', address: 'h' });
    await registry.register({ name: 'svc', id: 'b', address: 'h' });
    await done;
    expect(snapshots[0]).toEqual([]);
    expect(snapshots.at(-1)).toEqual(['a', 'b']);
    // Last value wins: a slow consumer may skip ['a'], never see a list twice in a row.
    for (let i = 1; i < snapshots.length; i++) expect(snapshots[i]).not.toEqual(snapshots[i - 1]);

    expect(found.isClosed).toBe(true);
    expect(() => found.all()).toThrow(RecipeClosedError);
    expect(() => found.getInstance()).toThrow(RecipeClosedError);
    await expect(found.start()).rejects.toThrow(RecipeClosedError);
    await found.close(); // idempotent
  });

  test('bad arguments: InvalidArgumentError', async () => {
    const session = await connect(zk.connectString);
    expect(() => new ServiceLocator(session, '/x', 'a/b')).toThrow(InvalidArgumentError);
    expect(() => new ServiceLocator(session, 'x', 'a')).toThrow(InvalidArgumentError);
    expect(() => new ServiceLocator(session, '/x', 'a', { strategy: 'first' as never })).toThrow(
      InvalidArgumentError,
    );
  });
});
