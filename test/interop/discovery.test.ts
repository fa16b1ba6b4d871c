/**
 * Service discovery shared with real Curator 5.4 (curator-x-discovery, Debian jars): a Java
 * ServiceDiscovery and ServiceCache see what ServiceRegistry registers, field by field, and
 * ServiceLocator sees what Java registers. The Java side is test/interop/java/interop/
 * DiscoveryPeer.java, run through test/interop/java.ts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ServiceLocator } from '../../src/recipes/service-locator.js';
import { ServiceRegistry } from '../../src/recipes/service-registry.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { connect, eventually, track } from '../recipes/cache/helpers.js';
import { compileInteropPeers, type JavaProcess, runJava } from './java.js';

const BASE = '/interop-discovery';

let zk: ZooKeeperCluster;
let java: JavaProcess;
beforeAll(async () => {
  const [cluster, classpath] = await Promise.all([startZooKeeper(), compileInteropPeers()]);
  zk = cluster;
  java = await runJava('interop.DiscoveryPeer', [zk.connectString, BASE, '4000'], { classpath });
}, 90_000);
afterAll(async () => {
  await java?.stop();
  await zk?.stop();
});

/** What the Java peer answers to `command` (JSON). */
async function ask<T = Record<string, unknown>[]>(command: string): Promise<T> {
  return JSON.parse(await java.request(command)) as T;
}

/** Polls the Java peer until `predicate` holds for its answer to `command`. */
async function javaSees<T = Record<string, unknown>[]>(
  command: string,
  predicate: (answer: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const answer = await ask<T>(command);
    if (predicate(answer)) return answer;
    if (Date.now() > deadline) throw new Error(`Java never saw ${what}: ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('service discovery with Curator', () => {
  test('Java ServiceDiscovery and ServiceCache see a Node instance, its updates and its end', async () => {
    await java.request('cache name=orders'); // a ServiceCache started before the registration
    const session = await connect(zk.connectString);
    const registry = track(new ServiceRegistry(session, BASE));
    await registry.register({
      name: 'orders',
      id: 'node-1',
      address: '10.1.2.3',
      port: 8080,
      sslPort: 8443,
      registrationTimeUTC: 1769292890155,
      uriSpec: '{scheme}://{address}:{port}',
    });
    const [seen] = await ask('query name=orders');
    expect(seen).toEqual({
      name: 'orders',
      id: 'node-1',
      address: '10.1.2.3',
      port: 8080,
      sslPort: 8443,
      payload: null,
      payloadClass: null,
      registrationTimeUTC: 1769292890155,
      serviceType: 'DYNAMIC',
      uri: 'https://10.1.2.3:8080', // Java's UriSpec.build on our parts ({scheme}: https, as sslPort is set)
      enabled: true,
    });
    await javaSees('cached name=orders', (all) => all.length === 1, 'the instance in its cache');

    // Latest data, and a payload a Java reader can type by its "@class".
    await registry.update({
      name: 'orders',
      id: 'node-1',
      address: '10.1.2.4',
      port: 8081,
      payload: { '@class': 'java.util.LinkedHashMap', zone: 'eu-1' },
    });
    const [updated] = await javaSees(
      'cached name=orders',
      (all) => all[0]?.address === '10.1.2.4',
      'the update',
    );
    expect(updated).toMatchObject({
      port: 8081,
      sslPort: null,
      payload: { zone: 'eu-1' },
      payloadClass: 'java.util.LinkedHashMap',
      registrationTimeUTC: 1769292890155, // kept by update
    });

    await registry.register({ name: 'orders', id: 'node-2', address: 'h', serviceType: 'STATIC' });
    const both = await ask('query name=orders');
    expect(both.map((i) => `${i.id}:${i.serviceType}`)).toEqual([
      'node-1:DYNAMIC',
      'node-2:STATIC',
    ]);

    await registry.close();
    await javaSees('cached name=orders', (all) => all.length === 0, 'the instances go');
  });

  test('ServiceLocator sees a Java instance with Curator’s fields, until Java unregisters', async () => {
    const session = await connect(zk.connectString);
    const locator = track(new ServiceLocator(session, BASE, 'billing'));
    await locator.start();
    const registered = await ask<Record<string, unknown>>(
      'register name=billing id=java-1 address=10.9.9.9 port=9090 sslPort=9443 uriSpec={scheme}://{address}:{port}/api',
    );
    await eventually(() => locator.all().length === 1, 'the Java instance');
    expect(locator.getInstance()).toEqual({
      name: 'billing',
      id: 'java-1',
      address: '10.9.9.9',
      port: 9090,
      sslPort: 9443,
      payload: null,
      registrationTimeUTC: registered.registrationTimeUTC,
      serviceType: 'DYNAMIC',
      uriSpec: '{scheme}://{address}:{port}/api',
      enabled: true,
    });

    await ask<Record<string, unknown>>('register name=billing id=java-2 address=h type=PERMANENT');
    await eventually(() => locator.all().length === 2, 'the PERMANENT instance');
    expect(locator.all()[1]).toMatchObject({ id: 'java-2', serviceType: 'PERMANENT', port: null });

    await java.request('unregister id=java-1');
    await java.request('unregister id=java-2');
    await eventually(() => locator.all().length === 0, 'the Java instances to go');
  });
});
