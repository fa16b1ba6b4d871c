/**
 * Session state machine driven by a scripted transport: exact interleavings of transport states,
 * without a server. The same behaviours run against a real ZooKeeper in session.test.ts.
 */
import { describe, expect, test } from 'vitest';
import {
  ConnectionLossError,
  SessionClosedError,
  SessionExpiredError,
} from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';
import type { SessionStateEvent, WatchMessage } from '../../src/session/states.js';
import { connectScripted, EMPTY_STAT, scriptedFactory } from '../support/scripted-transport.js';

async function connected() {
  const { session, made } = await connectScripted({ negotiatedTimeoutMs: 60 });
  const events: SessionStateEvent[] = [];
  session.on('state', (e) => events.push(e));
  return { session, made, events };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('Session state machine (scripted transport)', () => {
  test('connect resolves on the first connected state, generation 1', async () => {
    const { session } = await connected();
    expect(session.state).toBe('connected');
    expect(session.generation).toBe(1);
    expect(session.sessionId).toBe(0x10n);
    await session.close();
  });

  test('disconnected then connected: suspended, reconnected, same generation', async () => {
    const { session, made, events } = await connected();
    made[0]!.emit({ kind: 'disconnected' });
    made[0]!.connect(0x10n, 60);
    expect(events.map((e) => [e.state, e.generation])).toEqual([
      ['suspended', 1],
      ['reconnected', 1],
    ]);
    await session.close();
  });

  test('suspended longer than the negotiated timeout: lost (timeout), then a new transport and generation', async () => {
    const { session, made, events } = await connected();
    made[0]!.emit({ kind: 'disconnected' });
    await tick(120);
    expect(events.map((e) => e.state)).toEqual(['suspended', 'lost']);
    expect(events[1]).toMatchObject({ reason: 'timeout', sessionId: 0x10n, generation: 1 });
    expect(made[0]!.closed).toBe(true);
    expect(made).toHaveLength(2);
    expect(made[1]!.options.session).toBeUndefined();
    made[1]!.connect(0x20n, 60);
    await tick();
    expect(events.at(-1)).toMatchObject({ state: 'connected', sessionId: 0x20n, generation: 2 });
    // The orphan closer attaches to the old session once we are connected again, and closes it.
    expect(made[2]!.options.session?.sessionId).toBe(0x10n);
    made[2]!.connect(0x10n);
    await tick();
    expect(made[2]!.closed).toBe(true);
    await session.close();
  });

  test('expired: lost (expired) then connected on a new transport with the next generation', async () => {
    const { session, made, events } = await connected();
    made[0]!.emit({ kind: 'disconnected' });
    made[0]!.emit({ kind: 'expired' });
    made[1]!.connect(0x30n, 60);
    await tick();
    expect(events.map((e) => `${e.state}:${e.generation}`)).toEqual([
      'suspended:1',
      'lost:1',
      'connected:2',
    ]);
    expect(events[1]!.reason).toBe('expired');
    expect(made).toHaveLength(2); // no orphan closer after a real expiry
    await session.close();
  });

  test('states of a replaced transport are ignored', async () => {
    const { session, made, events } = await connected();
    made[0]!.emit({ kind: 'expired' });
    made[0]!.emit({
      kind: 'connected',
      sessionId: 0x10n,
      password: Buffer.alloc(16),
      negotiatedTimeoutMs: 60,
      readOnly: false,
    });
    made[0]!.emit({ kind: 'disconnected' });
    expect(events.map((e) => e.state)).toEqual(['lost']);
    await session.close();
  });

  test('watch triggers from an older generation are dropped', async () => {
    const { session, made } = await connected();
    made[0]!.handlers.set('exists', async () => EMPTY_STAT);
    const seen: string[] = [];
    await session.exists('/a', { watch: (m) => seen.push(`${m.type}:${m.path}:${m.generation}`) });
    const { watcher } = made[0]!.watchers[0]!;
    watcher({ type: 'dataChanged', path: '/a' });
    made[0]!.emit({ kind: 'expired' });
    watcher({ type: 'deleted', path: '/a' });
    expect(seen).toEqual(['dataChanged:/a:1']);
    await session.close();
  });

  test('the same sink set twice is one watcher, as the same Watcher object is in ZooKeeper', async () => {
    const { session, made } = await connected();
    made[0]!.handlers.set('exists', async () => EMPTY_STAT);
    const sink = () => {};
    await session.exists('/a', { watch: sink });
    await session.exists('/a', { watch: sink });
    await session.exists('/a', { watch: () => {} });
    const [first, second, third] = made[0]!.watchers.map((w) => w.watcher);
    expect(first).toBe(second);
    expect(third).not.toBe(first);
    await session.close();
  });

  test('a watched read retried onto the next session sets a watch that fires there', async () => {
    const { session, made } = await connected();
    made[0]!.handlers.set('getData', async (path) => {
      made[0]!.emit({ kind: 'expired' });
      throw new SessionExpiredError(path);
    });
    const seen: WatchMessage[] = [];
    const read = session.getData('/r', { watch: (m) => seen.push(m) });
    await tick();
    made[1]!.handlers.set('getData', async () => ({ data: Buffer.from('x'), stat: EMPTY_STAT }));
    made[1]!.connect(0x20n, 60);
    await read;
    expect(made[1]!.watchers).toHaveLength(1);
    made[1]!.watchers[0]!.watcher({ type: 'dataChanged', path: '/r' });
    expect(seen).toEqual([{ kind: 'watch', type: 'dataChanged', path: '/r', generation: 2 }]);
    await session.close();
  });

  test('a read issued while suspended is retried once the connection is back', async () => {
    const { session, made } = await connected();
    made[0]!.handlers.set('getData', async () => ({ data: Buffer.from('x'), stat: EMPTY_STAT }));
    made[0]!.emit({ kind: 'disconnected' });
    const read = session.getData('/a');
    setTimeout(() => made[0]!.connect(0x10n, 60), 15);
    await expect(read).resolves.toMatchObject({ data: Buffer.from('x') });
    expect(made[0]!.calls.filter((c) => c.op === 'getData').length).toBeGreaterThan(1);
    await session.close();
  });

  test('a create is not retried on connection loss', async () => {
    const { session, made } = await connected();
    made[0]!.handlers.set('create', async (p) => Promise.reject(new ConnectionLossError(p)));
    await expect(session.create('/a')).rejects.toBeInstanceOf(ConnectionLossError);
    expect(made[0]!.calls.filter((c) => c.op === 'create')).toHaveLength(1);
    await session.close();
  });

  test('errors carry the caller path, not the namespaced one', async () => {
    const { factory, made } = scriptedFactory();
    const pending = Session.connect({ connectString: 'x:1', transport: factory, namespace: 'app' });
    await Promise.resolve();
    made[0]!.connect();
    const session = await pending;
    await expect(session.getData('/a/b')).rejects.toMatchObject({ code: 'NONODE', path: '/a/b' });
    expect(made[0]!.calls.at(-1)).toEqual({ op: 'getData', path: '/app/a/b' });
    await session.close();
  });

  test('close emits closed once, then every call rejects with SessionClosedError', async () => {
    const { session, events } = await connected();
    await session.close();
    await session.close();
    expect(events.map((e) => e.state)).toEqual(['closed']);
    await expect(session.getData('/a')).rejects.toBeInstanceOf(SessionClosedError);
    await expect(session.create('/a', 'x')).rejects.toBeInstanceOf(SessionClosedError);
  });
});
