/**
 * Exact interleavings without a server (scripted transport), and the pure line rule.
 *
 * HARD-CASES 2: a node of an expired session can still be listed, first in line, after the new
 * session connected. Its former owner must not lead through it: not when a re-check's read was
 * retried onto the new session, and not when a listed node of ours turns out to have another
 * owner.
 */
import { describe, expect, test } from 'vitest';
import { positionOf } from '../../../src/recipes/internal/election-position.js';
import { LeaderElection } from '../../../src/recipes/leader-election.js';
import { SessionExpiredError, ZkError } from '../../../src/session/errors.js';
import type { Stat } from '../../../src/session/transport/types.js';
import {
  connectScripted,
  EMPTY_STAT,
  type ScriptedTransport,
} from '../../support/scripted-transport.js';
import { eventually } from './helpers.js';

const PATH = '/e';

/** A tiny in-memory election path on one scripted transport. */
function serve(t: ScriptedTransport, nodes: Map<string, bigint>, nextSeq: { value: number }) {
  const stat = (owner: bigint, path: string): Stat => ({
    ...EMPTY_STAT,
    ephemeralOwner: owner,
    czxid: BigInt(Number(path.slice(-10))),
  });
  t.handlers.set('create', async (path) => {
    const created = `${path as string}${String(nextSeq.value++).padStart(10, '0')}`;
    nodes.set(created, t.state.kind === 'connected' ? t.state.sessionId : 0n);
    return { path: created };
  });
  t.handlers.set('getChildren', async () => ({
    children: [...nodes.keys()].map((p) => p.slice(PATH.length + 1)),
    stat: EMPTY_STAT,
  }));
  t.handlers.set('getData', async (path) => {
    const owner = nodes.get(path as string);
    if (owner === undefined) throw new ZkError('NONODE', path as string);
    return { data: Buffer.from('p'), stat: stat(owner, path as string) };
  });
}

const connect = () => connectScripted();

const LEADER = '/e/_c_aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa-latch-0000000000';
const SECOND = '/e/_c_bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb-latch-0000000001';

/** A participant that joins behind `ahead` (nodes of other sessions), not started yet. */
async function behind(ahead: readonly string[]) {
  const { session, made } = await connect();
  const t = made[0]!;
  const nodes = new Map<string, bigint>();
  serve(t, nodes, { value: ahead.length });
  for (const node of ahead) nodes.set(node, 0x99n);
  const election = new LeaderElection(session, PATH, { id: 'p' });
  return { session, t, nodes, election };
}

function fire(t: ScriptedTransport, path: string, type: 'deleted' | 'dataChanged') {
  for (const w of t.watchers.filter((w) => w.path === path)) w.watcher({ type, path });
}

describe('positionOf (the line rule)', () => {
  const a = '_c_x-latch-2147483646';
  const b = '_c_y-latch-2147483647';
  const wrapped = '_c_z-latch--2147483648'; // issued after b, when the counter wrapped
  test('first, behind, absent', () => {
    expect(positionOf([b, a], a, 'latch-')).toEqual({ kind: 'first' });
    expect(positionOf([b, a], b, 'latch-')).toEqual({ kind: 'behind', predecessor: a, index: 1 });
    expect(positionOf([b], a, 'latch-')).toEqual({ kind: 'absent' });
    expect(positionOf([wrapped, b, a], wrapped, 'latch-')).toEqual({
      kind: 'behind',
      predecessor: b,
      index: 2,
    });
    expect(positionOf(['other', a], a, 'latch-')).toEqual({ kind: 'first' });
  });
});

describe('LeaderElection (scripted transport)', () => {
  test('a re-check read retried onto the new session finds the old node first: no leadership through it', async () => {
    const { session, made } = await connect();
    const nodes = new Map<string, bigint>();
    const seq = { value: 1 };
    serve(made[0]!, nodes, seq);
    const election = new LeaderElection(session, PATH, { id: 'p' });
    const log: string[] = [];
    election.on('elected', (l) => log.push(`elected ${l.node.slice(-2)}`));
    election.on('revoked', ({ reason }) => log.push(`revoked ${reason}`));
    await election.start();
    expect(election.isLeader).toBe(true);
    const [old] = [...nodes.keys()];

    // A re-check starts (someone touched our node); its read hangs until the session expires.
    let failRead!: (err: Error) => void;
    made[0]!.handlers.set(
      'getData',
      () =>
        new Promise((_, reject) => {
          failRead = reject;
        }),
    );
    fire(made[0]!, old!, 'dataChanged');
    await eventually(() => failRead !== undefined, 'the re-check to read');
    made[0]!.emit({ kind: 'expired' });
    expect(log).toEqual(['elected 01', 'revoked lost']);
    // The server still lists the expired session's node, first in line (HARD-CASES 2).
    serve(made[1]!, nodes, seq);
    made[1]!.connect(0x20n, 60_000);
    failRead(new SessionExpiredError(old));
    await eventually(() => election.state.kind === 'waiting', 'a new node, waiting');
    expect(election.isLeader).toBe(false);
    expect(election.state).toMatchObject({ kind: 'waiting', predecessor: old });
    expect(log).toEqual(['elected 01', 'revoked lost']);

    // The old node finally goes: now the new one leads.
    nodes.delete(old!);
    fire(made[1]!, old!, 'deleted');
    await eventually(() => election.isLeader, 'the new node to lead');
    expect(log).toEqual(['elected 01', 'revoked lost', 'elected 02']);
    await election.close();
    await session.close();
  });

  test('a listed node of ours owned by another session is not ours: a new node waits behind it', async () => {
    const { session, made } = await connect();
    const nodes = new Map<string, bigint>();
    const seq = { value: 1 };
    serve(made[0]!, nodes, seq);
    const create = made[0]!.handlers.get('create')!;
    let creates = 0;
    made[0]!.handlers.set('create', async (path, ...rest) => {
      const result = (await create(path, ...rest)) as { path: string };
      if (creates++ === 0) nodes.set(result.path, 0x99n); // e.g. adopted after a session change
      return result;
    });
    const election = new LeaderElection(session, PATH, { id: 'p' });
    await election.start();
    expect(creates).toBe(2);
    expect(election.isLeader).toBe(false);
    const [foreign, own] = [...nodes.keys()];
    expect(election.state).toEqual({
      kind: 'waiting',
      node: own,
      predecessor: foreign,
      alone: true,
    });
    await election.close();
    await session.close();
  });

  test('failover with only the leader ahead: elected on the trigger, no list, no read', async () => {
    const { session, t, nodes, election } = await behind([LEADER]);
    await election.start();
    expect(election.state).toMatchObject({ kind: 'waiting', predecessor: LEADER, alone: true });
    const calls = t.calls.length;
    nodes.delete(LEADER);
    fire(t, LEADER, 'deleted');
    await eventually(() => election.isLeader, 'elected');
    expect(t.calls.slice(calls)).toEqual([]);
    await election.close();
    await session.close();
  });

  test('the leader goes between the listing and the watch: elected without listing again', async () => {
    const { session, t, nodes, election } = await behind([LEADER]);
    const list = t.handlers.get('getChildren')!;
    t.handlers.set('getChildren', async (...args) => {
      const listed = await list(...args);
      nodes.delete(LEADER); // resigns right after our listing
      return listed;
    });
    await election.start();
    expect(election.isLeader).toBe(true);
    expect(t.calls.filter((c) => c.op === 'getChildren')).toHaveLength(1);
    await election.close();
    await session.close();
  });

  test('the node ahead goes while another is still ahead: the re-check lists and waits on that one', async () => {
    const { session, t, nodes, election } = await behind([LEADER, SECOND]);
    const [head, middle] = [LEADER, SECOND];
    await election.start();
    expect(election.state).toMatchObject({ kind: 'waiting', predecessor: middle, alone: false });
    nodes.delete(middle); // gave up; the head still leads
    fire(t, middle, 'deleted');
    await eventually(
      () => election.state.kind === 'waiting' && election.state.predecessor === head,
      'waiting on the head',
    );
    expect(election.isLeader).toBe(false);
    expect(election.state).toMatchObject({ alone: true });
    nodes.delete(head);
    fire(t, head, 'deleted');
    await eventually(() => election.isLeader, 'elected');
    await election.close();
    await session.close();
  });

  test('suspended while a re-check is stuck in the mailbox: leadership is revoked at once', async () => {
    const { session, made } = await connect();
    const nodes = new Map<string, bigint>();
    serve(made[0]!, nodes, { value: 1 });
    const election = new LeaderElection(session, PATH, { id: 'p' });
    const log: string[] = [];
    election.on('elected', () => log.push('elected'));
    election.on('revoked', ({ reason }) => log.push(`revoked ${reason}`));
    await election.start();
    const [own] = [...nodes.keys()];
    const leadership = election.leadership!;

    // A re-check's read hangs (as a read the Session retries until the connection is back).
    const getData = made[0]!.handlers.get('getData')!;
    let release!: () => void;
    made[0]!.handlers.set('getData', async (path, ...rest) => {
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      return getData(path, ...rest);
    });
    fire(made[0]!, own!, 'dataChanged');
    await eventually(() => release !== undefined, 'the re-check to read');
    made[0]!.emit({ kind: 'disconnected' });
    // The mailbox is busy with the re-check, yet the leader is told now.
    expect(election.isLeader).toBe(false);
    expect(leadership.signal.aborted).toBe(true);
    expect(log).toEqual(['elected', 'revoked suspended']);

    made[0]!.connect(0x10n, 60_000);
    made[0]!.handlers.set('getData', getData);
    release();
    await eventually(() => election.isLeader, 'leading again after the re-check');
    // Queued behind the `suspended` (ignored: connected again) and `reconnected` (re-check).
    expect(await election.waitForLeadership()).toBe(election.leadership);
    expect(log).toEqual(['elected', 'revoked suspended', 'elected']);
    await election.close();
    await session.close();
  });
});
