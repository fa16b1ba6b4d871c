import { describe, expect, expectTypeOf, it } from 'vitest';
import { Actor, type Stamp, type TransitionTable } from '../../src/actor/index.js';
import type { MailboxFailure } from '../../src/actor/mailbox.js';
import { IllegalTransitionError, InvariantError } from '../../src/session/errors.js';

/** A toy lock: enough states to exercise the base, no ZooKeeper. */
type LockState =
  | { kind: 'idle' }
  | { kind: 'waiting'; predecessor: string }
  | { kind: 'held'; node: string }
  | { kind: 'closed' };

type LockMessage =
  | { kind: 'wait'; predecessor: string }
  | { kind: 'grant'; node: string }
  | { kind: 'release' }
  | { kind: 'created'; node: string; stamp: Stamp }
  | { kind: 'force'; to: LockState };

interface LockEvents {
  /** The lock was granted. */
  acquired: [node: string];
  released: [];
  error: [error: unknown, message: LockMessage];
}

const TABLE: TransitionTable<LockState['kind']> = {
  idle: ['waiting', 'held', 'closed'],
  waiting: ['waiting', 'held', 'idle', 'closed'],
  held: ['idle', 'closed'],
  closed: [],
};

class ToyLock extends Actor<LockState, LockMessage, LockEvents> {
  readonly created: string[] = [];

  constructor(options: { generation?: () => number; clock?: () => number } = {}) {
    super({ name: 'ToyLock', initial: { kind: 'idle' }, transitions: TABLE, ...options });
  }

  /** Test access to the protected API. */
  move(next: LockState, reason?: string): void {
    this.transition(next, reason);
  }
  takeStamp(): Stamp {
    return this.stamp();
  }
  checkStale(stamp: Stamp): boolean {
    return this.isStale(stamp);
  }
  send(message: LockMessage): boolean {
    return this.mailbox.post(message);
  }
  sendAndWait(message: LockMessage): Promise<void> {
    return this.mailbox.ask(message);
  }

  protected override handle(message: LockMessage): void {
    switch (message.kind) {
      case 'wait':
        this.transition({ kind: 'waiting', predecessor: message.predecessor }, 'queued');
        return;
      case 'grant':
        this.transition({ kind: 'held', node: message.node }, 'predecessor gone');
        this.emit('acquired', message.node);
        return;
      case 'release':
        this.transition({ kind: 'idle' }, 'released');
        this.emit('released');
        return;
      case 'created':
        if (this.isStale(message.stamp)) return;
        this.created.push(message.node);
        return;
      case 'force':
        this.transition(message.to);
        return;
      default:
        message satisfies never;
    }
  }

  protected override onFailure(failure: MailboxFailure<LockMessage>): void {
    this.emit('error', failure.error, failure.message);
  }
}

describe('Actor transitions', () => {
  it('starts in the initial state with an empty history', () => {
    const lock = new ToyLock();
    expect(lock.state).toEqual({ kind: 'idle' });
    expect(lock.history).toEqual([]);
    expect(lock.name).toBe('ToyLock');
  });

  it('moves along declared edges and records from, to, at and reason', () => {
    let now = 1000;
    const lock = new ToyLock({ clock: () => now });
    lock.move({ kind: 'waiting', predecessor: 'n-1' }, 'queued');
    now = 1500;
    lock.move({ kind: 'held', node: 'n-2' });
    expect(lock.state).toEqual({ kind: 'held', node: 'n-2' });
    expect(lock.history).toEqual([
      { from: 'idle', to: 'waiting', at: 1000, reason: 'queued' },
      { from: 'waiting', to: 'held', at: 1500, reason: undefined },
    ]);
  });

  it('rejects an undeclared move with IllegalTransitionError and keeps the state', () => {
    const lock = new ToyLock();
    lock.move({ kind: 'held', node: 'n-1' });
    const before = lock.state;
    const historyBefore = lock.history;

    let caught: unknown;
    try {
      lock.move({ kind: 'waiting', predecessor: 'n-0' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(IllegalTransitionError);
    expect(caught).toBeInstanceOf(InvariantError);
    expect(caught).toMatchObject({ from: 'held', to: 'waiting' });
    expect(lock.state).toBe(before);
    expect(lock.history).toEqual(historyBefore);
  });

  it('allows a self-move only where the table declares it', () => {
    const lock = new ToyLock();
    lock.move({ kind: 'waiting', predecessor: 'a' });
    lock.move({ kind: 'waiting', predecessor: 'b' });
    expect(lock.state).toEqual({ kind: 'waiting', predecessor: 'b' });

    lock.move({ kind: 'held', node: 'n' });
    expect(() => lock.move({ kind: 'held', node: 'n' })).toThrow(IllegalTransitionError);
  });

  it('keeps only the last 20 transitions, oldest first', () => {
    const lock = new ToyLock();
    for (let i = 0; i < 25; i++) lock.move({ kind: 'waiting', predecessor: `p-${i}` }, `step ${i}`);
    const { history } = lock;
    expect(history).toHaveLength(20);
    expect(history[0]?.reason).toBe('step 5');
    expect(history[19]?.reason).toBe('step 24');
  });

  it('reports an illegal move inside a handler and goes on with later messages', async () => {
    const lock = new ToyLock();
    const errors: unknown[] = [];
    lock.on('error', (error) => errors.push(error));
    lock.send({ kind: 'grant', node: 'n-1' });
    lock.send({ kind: 'wait', predecessor: 'p' });
    await lock.sendAndWait({ kind: 'release' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(IllegalTransitionError);
    expect(errors[0]).toMatchObject({ from: 'held', to: 'waiting' });
    expect(lock.state).toEqual({ kind: 'idle' });
  });
});

describe('Actor staleness', () => {
  it('is stale after any transition, including a declared self-move', () => {
    const lock = new ToyLock();
    const atIdle = lock.takeStamp();
    expect(lock.checkStale(atIdle)).toBe(false);
    lock.move({ kind: 'waiting', predecessor: 'a' });
    expect(lock.checkStale(atIdle)).toBe(true);

    const atWaitingA = lock.takeStamp();
    lock.move({ kind: 'waiting', predecessor: 'b' });
    expect(lock.checkStale(atWaitingA)).toBe(true);
  });

  it('is stale after the session generation changes', () => {
    let generation = 1;
    const lock = new ToyLock({ generation: () => generation });
    const stamp = lock.takeStamp();
    expect(stamp.generation).toBe(1);
    generation = 2;
    expect(lock.checkStale(stamp)).toBe(true);
  });

  it('lets a handler drop a result posted back under an older state', async () => {
    const lock = new ToyLock();
    await lock.sendAndWait({ kind: 'wait', predecessor: 'a' });
    const stamp = lock.takeStamp();
    await lock.sendAndWait({ kind: 'created', node: 'fresh', stamp });
    lock.send({ kind: 'release' });
    await lock.sendAndWait({ kind: 'created', node: 'late', stamp });
    expect(lock.created).toEqual(['fresh']);
  });
});

describe('Actor events', () => {
  it('emits typed events from handlers', async () => {
    const lock = new ToyLock();
    const acquired: string[] = [];
    lock.on('acquired', (node) => {
      expectTypeOf(node).toEqualTypeOf<string>();
      acquired.push(node);
    });
    let released = 0;
    lock.on('released', (...args) => {
      expectTypeOf(args).toEqualTypeOf<[]>();
      released += 1;
    });
    lock.send({ kind: 'grant', node: 'n-7' });
    await lock.sendAndWait({ kind: 'release' });
    expect(acquired).toEqual(['n-7']);
    expect(released).toBe(1);
  });

  it('rejects unknown event names and wrong payloads at compile time', () => {
    const lock = new ToyLock();
    expectTypeOf(lock.on).parameter(0).toEqualTypeOf<'acquired' | 'released' | 'error'>();
    // @ts-expect-error: not an event of ToyLock
    lock.on('nope', () => undefined);
    // @ts-expect-error: `acquired` carries a string
    lock.on('acquired', (node: number) => node);
    expectTypeOf(lock.state).toEqualTypeOf<LockState>();
    expectTypeOf(lock.history[0]?.to).toEqualTypeOf<LockState['kind'] | undefined>();
  });
});
