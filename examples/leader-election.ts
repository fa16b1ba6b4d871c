/**
 * Leader election: three database nodes (each with its own session) elect a primary. The
 * primary's session is then expired on the server; it is revoked, and the next in line takes
 * over with a larger fencing token. The expired node re-joins at the back of the line.
 *
 *   npx tsx examples/leader-election.ts
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LeaderElection, type Leadership, Session } from '../src/index.js';
import { expireSession, startZooKeeper } from '../src/testing/index.js';

const started = Date.now();
const log = (line: string) =>
  console.log(`${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s  ${line}`);

await using zk = await startZooKeeper();
log(`server up at ${zk.connectString}`);

const ids = ['db-1', 'db-2', 'db-3'];
const sessions: Session[] = [];
const elections: LeaderElection[] = [];
type Elected = { id: string; leadership: Leadership };
let onElected: (e: Elected) => void = () => {};
const nextElected = () => new Promise<Elected>((resolve) => (onElected = resolve));
let elected = nextElected();

// Closes the elections (resigning), then the sessions, whatever happens below.
await using _cleanup = {
  async [Symbol.asyncDispose]() {
    for (const election of elections) await election.close();
    for (const session of sessions) await session.close();
  },
};
for (const id of ids) {
  const session = await Session.connect({ connectString: zk.connectString });
  sessions.push(session);
  session.on('lost', (e) => log(`${id}: session 0x${e.sessionId.toString(16)} lost (${e.reason})`));

  const election = new LeaderElection(session, '/election/db-primary', { id });
  elections.push(election);
  election.on('elected', (leadership) => {
    log(`${id}: ELECTED, fencing token ${leadership.fencingToken}`);
    leadership.signal.addEventListener('abort', () =>
      log(`${id}: leadership signal aborted (${(leadership.signal.reason as Error).message})`),
    );
    onElected({ id, leadership });
  });
  election.on('revoked', ({ reason }) => log(`${id}: revoked (${reason})`));
  await election.start();
  log(`${id}: joined, leader=${election.isLeader}`);
}

const first = await elected;
let line = await elections[0]!.participants();
log(`line: ${line.map((p) => p.id).join(' -> ')}`);

// The primary writes only while its election node exists (check + write in one multi).
await sessions[0]!.create('/db/primary', '', { createParents: true });
await first.leadership.guard([{ op: 'setData', path: '/db/primary', data: first.id }]);
log(`${first.id}: wrote /db/primary through leadership.guard()`);

elected = nextElected();
const victim = sessions[ids.indexOf(first.id)]!;
log(`expiring ${first.id}'s session on the server...`);
await expireSession(victim);
const second = await elected;
log(
  `failover: ${first.id} -> ${second.id}, token ${first.leadership.fencingToken} -> ${second.leadership.fencingToken}`,
);
await second.leadership.guard([{ op: 'setData', path: '/db/primary', data: second.id }]);

try {
  await first.leadership.guard([{ op: 'setData', path: '/db/primary', data: first.id }]);
} catch (err) {
  log(`${first.id}: stale guard() refused: ${(err as Error).name}: ${(err as Error).message}`);
}

line = await elections[1]!.participants();
while (line.length < 3) {
  await sleep(50); // the expired participant re-joins on its next session
  line = await elections[1]!.participants();
}
log(`line: ${line.map((p) => p.id).join(' -> ')} (${first.id} re-joined at the back)`);
log(`/db/primary = ${(await sessions[1]!.getData('/db/primary')).data}; closing`);
