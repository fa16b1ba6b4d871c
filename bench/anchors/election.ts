/**
 * `election --participants 5 --rounds 20 --mode close|expire`: P sessions run LeaderElection on
 * one path in this one process. Each round ends the current leader's session; timed from t0
 * until ANOTHER participant's `elected` event. Mirrors w_election of python/bench.py.
 *
 * - close: t0 just before the leader's `Session.close()` (graceful closeSession); a fresh
 *   participant then joins at the back, so P stay in the race.
 * - expire: a second client attaches to the leader's session (id + password) and closes it, so
 *   the server really expires it; t0 just before that close. The attach-and-close runs on a
 *   bare wire transport in a worker thread of this process while this thread waits (killer.ts
 *   says why). The expired participant's Session opens a new session and its LeaderElection
 *   re-joins by itself.
 */
import { LeaderElection } from '../../src/recipes/leader-election.js';
import type { Session } from '../../src/session/session.js';
import {
  type Args,
  basePath,
  closeQuietly,
  connectSession,
  deleteTree,
  emit,
  intArg,
  libLabel,
  log,
  ms,
  now,
  pct,
  round3,
  seconds,
  sessionMs,
  sleep,
  type TransportKind,
  transportArg,
} from './common.js';
import { ElectedLog } from './elected-log.js';
import { Killer, killSession } from './killer.js';

interface Participant {
  readonly pid: number;
  readonly session: Session;
  readonly election: LeaderElection;
}

async function join(
  pid: number,
  connect: string,
  timeoutMs: number,
  transport: TransportKind,
  path: string,
  elected: ElectedLog,
): Promise<Participant> {
  const session = await connectSession(connect, timeoutMs, transport);
  const election = new LeaderElection(session, path, { id: `p${pid}` });
  // The clock is read first thing in the listener: this is "the participant is told".
  election.on('elected', () => elected.add(pid, now()));
  election.on('error', (e) => log(`participant ${pid} error:`, e));
  await election.start();
  return { pid, session, election };
}

/** Waits until all P nodes are listed and exactly one participant leads (await_stable). */
async function awaitStable(
  admin: Session,
  path: string,
  ps: readonly Participant[],
): Promise<Participant> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const kids = await admin.getChildren(path).then(
      (r) => r.children.length,
      () => 0,
    );
    const leaders = ps.filter((p) => p.election.isLeader);
    if (kids === ps.length && leaders.length === 1) {
      await sleep(100);
      return leaders[0]!;
    }
    await sleep(20);
  }
  throw new Error('election did not stabilise');
}

export async function election(args: Args): Promise<void> {
  const n = intArg(args, 'participants', 5);
  const rounds = intArg(args, 'rounds', 20);
  const mode = args.mode ?? 'close';
  const timeoutMs = sessionMs(args);
  const transport = transportArg(args);
  if (mode !== 'close' && mode !== 'expire')
    throw new Error('the ts harness supports --mode close|expire');
  const params = {
    participants: n,
    rounds,
    mode,
    session_timeout_ms: timeoutMs,
    recipe: 'LeaderElection',
    sessions: 'one per participant, one process',
    transport,
    ...(mode === 'expire'
      ? { expire_method: 'wire transport attach + close in a worker thread, main thread blocked' }
      : {}),
  };
  const connect = args.connect!;
  const path = `${basePath('election')}/election`;
  const elected = new ElectedLog();
  const admin = await connectSession(connect, timeoutMs);
  const ps: Participant[] = [];
  let nextId = 0;
  const lat: number[] = [];
  let failures = 0;
  let killRetries = 0;
  const start = now();
  const killer = mode === 'expire' ? await Killer.start(connect, timeoutMs) : undefined;
  const newParticipant = () => join(nextId++, connect, timeoutMs, transport, path, elected);
  try {
    for (let i = 0; i < n; i++) ps.push(await newParticipant());
    for (let r = 0; r < rounds; r++) {
      const leader = await awaitStable(admin, path, ps);
      log(`round ${r}: leader p${leader.pid} session 0x${leader.session.sessionId?.toString(16)}`);
      elected.clear();
      let t0: bigint;
      let t1: bigint | undefined;
      const waitMs = Math.max(30_000, 3 * timeoutMs);
      if (mode === 'close') {
        t0 = now();
        void leader.session.close();
        t1 = await elected.next((e) => e.pid !== leader.pid && e.t >= t0, waitMs);
      } else {
        const kill = await killSession(killer!, leader.session, waitMs, elected, leader.pid);
        killRetries += kill.retries;
        t0 = kill.t0;
        t1 = kill.t1;
      }
      if (t1 === undefined) {
        failures++;
        log(`round ${r}: no new leader`);
      } else lat.push(ms(t1 - t0));
      if (mode === 'close') {
        await closeQuietly(leader.election);
        ps.splice(ps.indexOf(leader), 1);
        ps.push(await newParticipant());
      }
    }
    emit({
      lib: libLabel(args),
      workload: 'election',
      params,
      opsPerS: null,
      p50: pct(lat, 0.5),
      p99: pct(lat, 0.99),
      ok: failures === 0,
      extra: {
        samples: lat.length,
        failures,
        max_ms: lat.length > 0 ? Math.max(...lat) : null,
        samples_ms: lat.map(round3),
        elapsed_s: seconds(now() - start),
        ...(mode === 'expire' ? { kill_retries: killRetries } : {}),
        p_metric: "leader session loss -> another participant's elected event",
      },
    });
  } finally {
    await Promise.all(ps.map((p) => closeQuietly(p.election)));
    await Promise.all(ps.map((p) => closeQuietly(p.session)));
    await deleteTree(admin, path.slice(0, path.lastIndexOf('/'))).catch((e) => log('cleanup:', e));
    await closeQuietly(admin);
    await closeQuietly(killer);
  }
}
