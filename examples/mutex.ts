/**
 * Mutex: three workers, each with its own session, take turns on one lock to bump a shared
 * invoice counter. Each holds the lock with `await using` (released at the end of the block),
 * writes through `lock.guard()` (a check of the lock node and the write, in one transaction),
 * and prints its fencing token: it grows with every new holder. A guard() on a released handle
 * is refused, and so is one whose lock node was deleted behind its back.
 *
 *   npx tsx examples/mutex.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type LockHandle, Mutex, Session } from '../src/index.js';
import { startZooKeeper } from '../src/testing/index.js';

const started = Date.now();
const log = (line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${line}`);

await using zk = await startZooKeeper();
log(`server up at ${zk.connectString}`);

const COUNTER = '/invoices/next-number';
const sessions: Session[] = [];
await using _cleanup = {
  async [Symbol.asyncDispose]() {
    for (const session of sessions) await session.close();
  },
};
for (let i = 0; i < 3; i++)
  sessions.push(await Session.connect({ connectString: zk.connectString }));
await sessions[0]!.create(COUNTER, '0', { createParents: true });

let highestToken = -1n; // what a fenced resource remembers: it refuses smaller tokens
let staleHandle: LockHandle | undefined;

async function worker(name: string, session: Session): Promise<void> {
  const mutex = new Mutex(session, '/locks/invoices', { data: name });
  for (let round = 1; round <= 2; round++) {
    await using lock = await mutex.acquire({ timeoutMs: 5_000 });
    if (lock.fencingToken <= highestToken) throw new Error('fencing token went backwards');
    highestToken = lock.fencingToken;
    const { data } = await session.getData(COUNTER);
    const next = Number(data.toString()) + 1;
    log(`${name}: holds the lock, fencing token ${lock.fencingToken}, invoice #${next}`);
    await sleep(100); // work under the lock; `lock.signal` would abort if the lock were lost
    await lock.guard([{ op: 'setData', path: COUNTER, data: String(next) }]);
    staleHandle = lock;
  } // released here
  await mutex.close();
}

await Promise.all(sessions.map((session, i) => worker(`worker-${i + 1}`, session)));
const { data } = await sessions[0]!.getData(COUNTER);
log(`all done: ${COUNTER} = ${data.toString()} (6 increments, none lost)`);

try {
  await staleHandle!.guard([{ op: 'setData', path: COUNTER, data: '999' }]);
} catch (err) {
  log(`guard() after release refused: ${(err as Error).name}: ${(err as Error).message}`);
}

// The check in guard() matters while the handle still looks held: delete the holder's node
// behind its back (an operator, or an expired session) and its write is refused.
const mutex = new Mutex(sessions[0]!, '/locks/invoices');
{
  await using lock = await mutex.acquire();
  await sessions[1]!.delete(lock.node);
  await lock.guard([{ op: 'setData', path: COUNTER, data: '999' }]).catch((err: Error) => {
    log(`guard() after the lock node was deleted refused: ${err.name}: ${err.message}`);
  });
}
await mutex.close();
log(`${COUNTER} still = ${(await sessions[0]!.getData(COUNTER)).data.toString()}; closing`);
