/**
 * Contract cases about the session and its states: connect, resume, close, calls while not
 * connected, a server restart, and server-side expiry.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import {
  ConnectionLossError,
  SessionClosedError,
  SessionExpiredError,
} from '../../src/session/errors.js';
import { OPEN_ACL_UNSAFE, type Transport } from '../../src/session/transport/types.js';
import { expireSession } from '../../src/testing/index.js';
import type { ContractContext } from './context.js';
import {
  bytes,
  EPHEMERAL,
  eventually,
  PERSISTENT,
  SESSION_TIMEOUT_MS,
  type StateKind,
  sleep,
  uniquePath,
  WatchRecorder,
  waitForState,
} from './helpers.js';

const ORPHAN_SESSION = fileURLToPath(new URL('./fixtures/orphan-session.mjs', import.meta.url));
/** "At once": far below any network or session timeout. */
const FAST_MS = 500;
const RESTART_SESSION_TIMEOUT_MS = 10_000;

/** One call of every Transport operation, for the "refused in this state" cases. */
function everyCall(transport: Transport, path: string): Array<[string, () => Promise<unknown>]> {
  return [
    ['create', () => transport.create(path, bytes(''), PERSISTENT)],
    ['delete', () => transport.delete(path, -1)],
    ['exists', () => transport.exists(path)],
    ['getData', () => transport.getData(path)],
    ['setData', () => transport.setData(path, bytes(''), -1)],
    ['getChildren', () => transport.getChildren(path)],
    ['getAllChildrenNumber', () => transport.getAllChildrenNumber(path)],
    ['getEphemerals', () => transport.getEphemerals(path)],
    ['sync', () => transport.sync(path)],
    ['getAcl', () => transport.getAcl(path)],
    ['setAcl', () => transport.setAcl(path, OPEN_ACL_UNSAFE, -1)],
    ['multi', () => transport.multi([{ op: 'check', path, version: -1 }])],
    ['multiRead', () => transport.multiRead([{ op: 'getData', path }])],
    ['addWatch', () => transport.addWatch(path, 'persistent', () => {})],
    ['removeWatches', () => transport.removeWatches(path, 'any')],
    ['addAuth', () => transport.addAuth('digest', bytes('u:p'))],
  ];
}

async function rejectionOf(call: () => Promise<unknown>): Promise<unknown> {
  return call().then(
    () => new Error('resolved'),
    (error: unknown) => error,
  );
}

function recordStates(transport: Transport): StateKind[] {
  const seen: StateKind[] = [];
  transport.onState((state) => seen.push(state.kind));
  return seen;
}

export function sessionCases(ctx: ContractContext): void {
  test('connects: connecting, then connected with the session credentials', async () => {
    const transport = ctx.pool.open({
      connectString: ctx.zk.connectString,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    expect(transport.state.kind).toBe('connecting');
    const seen = recordStates(transport);

    const state = await waitForState(transport, 'connected');
    expect(seen).toEqual(['connected']);
    expect(state.sessionId).not.toBe(0n);
    expect(state.password).toHaveLength(16);
    expect(state.negotiatedTimeoutMs).toBe(SESSION_TIMEOUT_MS);
    expect(state.readOnly).toBe(false);
    expect(transport.state).toBe(state);
  });

  test('resumes a live session from its id and password', async () => {
    const path = uniquePath('orphan');
    const child = spawnSync(
      process.execPath,
      [ORPHAN_SESSION, ctx.zk.connectString, String(SESSION_TIMEOUT_MS), path],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(child.status, child.stderr).toBe(0);
    const [idHex, passwordHex] = child.stdout.trim().split(' ');
    const session = {
      sessionId: BigInt.asIntN(64, BigInt(`0x${idHex}`)),
      password: Buffer.from(passwordHex!, 'hex'),
    };

    const { transport, state } = await ctx.pool.connect(ctx.zk.connectString, { session });
    expect(state.sessionId).toBe(session.sessionId);
    expect(state.password.equals(session.password)).toBe(true);
    expect((await transport.exists(path))?.ephemeralOwner).toBe(session.sessionId);

    // Closing the resumed transport ends the session, and with it the orphan's node.
    await transport.close();
    const { transport: observer } = await ctx.pool.connect(ctx.zk.connectString);
    await eventually(
      async () => (await observer.exists(path)) === null,
      'orphan node deleted',
      5_000,
    );
  });

  test('resuming with a wrong password reports expired', async () => {
    const { state } = await ctx.pool.connect(ctx.zk.connectString);
    const wrong = Buffer.from(state.password);
    wrong[0] = (wrong[0]! + 1) % 256;
    const transport = ctx.pool.open({
      connectString: ctx.zk.connectString,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      session: { sessionId: state.sessionId, password: wrong },
    });
    await waitForState(transport, 'expired');
    await expect(transport.exists('/')).rejects.toBeInstanceOf(SessionExpiredError);
  });

  test('close is idempotent; pending calls settle and later calls reject with SessionClosedError', async () => {
    const { transport } = await ctx.pool.connect(ctx.zk.connectString);
    const seen = recordStates(transport);
    const pending = Array.from({ length: 50 }, () => transport.exists('/'));

    await Promise.all([transport.close(), transport.close()]);
    await transport.close();
    expect(transport.state.kind).toBe('closed');
    expect(seen).toEqual(['closed']);
    for (const outcome of await Promise.allSettled(pending)) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(SessionClosedError);
    }
    for (const [name, call] of everyCall(transport, uniquePath('closed'))) {
      expect(await rejectionOf(call), name).toBeInstanceOf(SessionClosedError);
    }
  });

  test('calls before the first connect reject at once with ConnectionLossError', async () => {
    // Nothing listens on port 1: the transport stays connecting.
    const transport = ctx.pool.open({
      connectString: '127.0.0.1:1',
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
    });
    await sleep(100);
    expect(transport.state.kind).toBe('connecting');
    const started = Date.now();
    for (const name of [
      'exists',
      'getData',
      'create',
      'setData',
      'delete',
      'getChildren',
      'sync',
    ]) {
      const call = everyCall(transport, '/x').find(([n]) => n === name)![1];
      expect(await rejectionOf(call), name).toBeInstanceOf(ConnectionLossError);
    }
    expect(Date.now() - started).toBeLessThan(FAST_MS);
    await transport.close();
    expect(transport.state.kind).toBe('closed');
  });

  test('server restart: disconnected, calls fail fast, then connected with the same session and its watches', async () => {
    // A longer session: a JVM stop and start can take more than the usual 4 s under load, and
    // this case is about the session coming back, not about racing its timeout.
    const { transport, state } = await ctx.pool.connect(ctx.zk.connectString, {
      sessionTimeoutMs: RESTART_SESSION_TIMEOUT_MS,
    });
    const path = uniquePath('restart');
    await transport.create(path, bytes(''), PERSISTENT);
    const recorder = new WatchRecorder();
    await transport.getData(path, recorder.watcher);
    const seen = recordStates(transport);

    await ctx.zk.stopServer(0);
    try {
      await waitForState(transport, 'disconnected');
      const started = Date.now();
      expect(await rejectionOf(() => transport.getData(path))).toBeInstanceOf(ConnectionLossError);
      expect(
        await rejectionOf(() => transport.create(`${path}/x`, bytes(''), EPHEMERAL)),
      ).toBeInstanceOf(ConnectionLossError);
      expect(Date.now() - started).toBeLessThan(FAST_MS);
    } finally {
      await ctx.zk.startServer(0);
    }

    const back = await waitForState(transport, 'connected');
    expect(back.sessionId).toBe(state.sessionId);
    expect(seen).toEqual(['disconnected', 'connected']);
    expect(recorder.events).toEqual([]);

    const { transport: other } = await ctx.pool.connect(ctx.zk.connectString);
    await other.setData(path, bytes('after restart'), -1);
    expect(await recorder.waitFor(1)).toEqual([{ type: 'dataChanged', path }]);
    expect((await transport.getData(path)).data.toString()).toBe('after restart');
  });

  test('server-side expiry: expired, every call rejects with SessionExpiredError, no watcher is called', async () => {
    const { transport, state } = await ctx.pool.connect(ctx.zk.connectString);
    const { transport: other } = await ctx.pool.connect(ctx.zk.connectString);
    const path = uniquePath('expiry');
    await transport.create(path, bytes(''), PERSISTENT);
    await transport.create(`${path}/mine`, bytes(''), EPHEMERAL);
    const recorder = new WatchRecorder();
    await transport.getData(path, recorder.watcher);
    const seen = recordStates(transport);

    await expireSession({
      connectString: ctx.zk.connectString,
      credentials: { sessionId: state.sessionId, password: state.password },
    });
    await waitForState(transport, 'expired');
    expect(seen.at(-1)).toBe('expired');
    expect(seen.filter((kind) => kind === 'connected')).toEqual([]);
    expect(await other.exists(`${path}/mine`)).toBeNull();

    for (const [name, call] of everyCall(transport, path)) {
      expect(await rejectionOf(call), name).toBeInstanceOf(SessionExpiredError);
    }
    await other.setData(path, bytes('after expiry'), -1);
    await sleep(300);
    expect(recorder.events).toEqual([]);

    await transport.close();
    expect(transport.state.kind).toBe('expired');
  });
}
