/**
 * ConfigWatch: three services (each with its own session) follow one config znode while an
 * operator updates it. A value that fails validation is reported as an `error` and every
 * watcher keeps the last good one. A burst of writes at the end shows "last value wins":
 * a watcher may skip intermediate versions, but all of them end on the final one.
 *
 *   npx tsx examples/config-watch.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type ConfigValue, ConfigWatch, InvalidConfigError, Session } from '../src/index.js';
import { startZooKeeper } from '../src/testing/index.js';

const started = Date.now();
const log = (line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${line}`);

interface PoolConfig {
  maxConnections: number;
  mode: 'fast' | 'safe';
}
const PATH = '/config/pool';
const show = (c: ConfigValue<PoolConfig> | undefined) =>
  c === undefined ? 'no config' : `v${c.version} ${JSON.stringify(c.value)}`;

await using zk = await startZooKeeper();
await using writer = await Session.connect({ connectString: zk.connectString });
await writer.create(PATH, JSON.stringify({ maxConnections: 10, mode: 'safe' }), {
  createParents: true,
});
log(`server up at ${zk.connectString}; ${PATH} created`);

const sessions: Session[] = [];
const watches: ConfigWatch<PoolConfig>[] = [];
const seen = new Map<ConfigWatch<PoolConfig>, number>(); // last version each one read
await using _cleanup = {
  async [Symbol.asyncDispose]() {
    for (const watch of watches) await watch.close();
    for (const session of sessions) await session.close();
  },
};
for (const name of ['api', 'billing', 'search']) {
  const session = await Session.connect({ connectString: zk.connectString });
  sessions.push(session);
  const watch = new ConfigWatch<PoolConfig>(session, PATH, {
    validate: (c) => Number.isInteger(c.maxConnections) && c.maxConnections > 0,
  });
  watches.push(watch);
  watch.on('change', ({ current }) => {
    seen.set(watch, current?.version ?? -1);
    log(`  ${name.padEnd(7)} sees ${show(current)}`);
  });
  watch.on('error', (err) => {
    if (!(err instanceof InvalidConfigError)) return log(`  ${name}: ${err.message}`);
    seen.set(watch, err.version);
    const why = (err.cause as Error).message;
    log(`  ${name.padEnd(7)} REJECTS v${err.version} (${why}); keeps ${show(watch.current)}`);
  });
  await watch.start();
}

/** Writes `data`, then waits until every watcher has read that version (good or bad). */
async function write(data: string): Promise<void> {
  const stat = await writer.setData(PATH, data);
  log(`operator writes v${stat.version}: ${data}`);
  while (watches.some((w) => (seen.get(w) ?? -1) < stat.version)) await sleep(10);
}

await write(JSON.stringify({ maxConnections: 20, mode: 'safe' }));
await write(JSON.stringify({ maxConnections: -5, mode: 'fast' })); // fails validate
await write('{"maxConnections": 30,'); // not JSON
await write(JSON.stringify({ maxConnections: 40, mode: 'fast' }));

log('operator writes v5..v9 in a burst');
const burst = [5, 6, 7, 8, 9].map((n) => ({ maxConnections: n * 10, mode: 'fast' }));
await Promise.all(burst.map((config) => writer.setData(PATH, JSON.stringify(config))));
for (const watch of watches) {
  for await (const current of watch) if (current?.version === 9) break;
}
log(`all watchers on: ${watches.map((w) => show(w.current)).join(' | ')}`);
