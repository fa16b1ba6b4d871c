/**
 * Service discovery: three instances of `www` (each its own process, here its own session)
 * register with a ServiceRegistry; a client's ServiceLocator round-robins over them. One
 * instance dies (its session is closed): its ephemeral node goes, the locator drops it, and the
 * round-robin goes on over the two left.
 *
 *   npx tsx examples/service-discovery.ts
 */
import { ServiceLocator, ServiceRegistry, Session } from '../src/index.js';
import { startZooKeeper } from '../src/testing/index.js';

const started = Date.now();
const log = (line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${line}`);

await using zk = await startZooKeeper();
log(`server up at ${zk.connectString}`);
const connect = () => Session.connect({ connectString: zk.connectString });

const sessions: Session[] = [];
await using _cleanup = {
  async [Symbol.asyncDispose]() {
    for (const session of sessions) await session.close(); // registries close with them
  },
};
for (let i = 1; i <= 3; i++) {
  const session = await connect();
  sessions.push(session);
  const registry = new ServiceRegistry(session, '/services');
  const instance = await registry.register({
    name: 'www',
    id: `www-${i}`,
    address: `10.0.0.${i}`,
    port: 8080,
  });
  log(`registered ${instance.id} at ${instance.address}:${instance.port}`);
}

await using client = await connect();
const locator = new ServiceLocator(client, '/services', 'www', { strategy: 'roundRobin' });
locator.on('change', ({ added, removed, instances }) => {
  const ids = (list: readonly { id: string }[]) => list.map((i) => i.id).join(', ') || '-';
  log(`locator: +[${ids(added)}] -[${ids(removed)}] => ${instances.length} instances`);
});
locator.on('error', (err) => log(`locator error: ${err.message}`));
await locator.start();

const pick = (n: number) =>
  Array.from({ length: n }, () => {
    const instance = locator.getInstance();
    return instance === undefined ? 'none' : `${instance.id}@${instance.address}`;
  }).join('  ');
log(`6 requests go to: ${pick(6)}`);

log('www-2 dies (its session is closed)');
const dropped = new Promise((resolve) => locator.once('change', resolve));
await sessions[1]!.close();
await dropped;
log(`6 requests go to: ${pick(6)}`);

await locator.close();
log('closing');
