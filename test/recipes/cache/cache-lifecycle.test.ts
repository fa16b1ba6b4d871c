/** The cache life cycle as a pure function, and the latest-value iteration: no server. */
import { describe, expect, test } from 'vitest';
import { LatestValue } from '../../../src/recipes/internal/cache-latest.js';
import {
  CACHE_TRANSITIONS,
  type CacheInput,
  type CacheState,
  cacheStep,
} from '../../../src/recipes/internal/cache-lifecycle.js';
import type { SessionStateKind } from '../../../src/session/states.js';

const session = (state: SessionStateKind, generation = 1): CacheInput => ({
  kind: 'session',
  event: { state, sessionId: 1n, generation },
});
const trigger = (type: 'dataChanged' | 'dataWatchRemoved', generation = 1): CacheInput => ({
  kind: 'watch',
  type,
  path: '/a',
  generation,
});
const watching: CacheState = { kind: 'watching', generation: 1 };
const syncing: CacheState = { kind: 'syncing', generation: 1 };

describe('cacheStep', () => {
  test('start: only from idle, into a full read', () => {
    expect(cacheStep({ kind: 'idle' }, { kind: 'start' }, 1)).toEqual({
      effect: 'sync',
      next: syncing,
      reason: 'start',
    });
    expect(cacheStep(watching, { kind: 'start' }, 1)).toEqual({ effect: 'none' });
  });

  test('triggers: refresh while watching, full read while syncing, dropped otherwise', () => {
    expect(cacheStep(watching, trigger('dataChanged'), 1)).toMatchObject({ effect: 'refresh' });
    expect(cacheStep(syncing, trigger('dataChanged'), 1)).toMatchObject({ effect: 'sync' });
    expect(cacheStep(watching, trigger('dataWatchRemoved'), 1)).toMatchObject({ effect: 'sync' });
    expect(cacheStep(watching, trigger('dataChanged', 1), 2)).toEqual({ effect: 'none' });
    const suspended: CacheState = { kind: 'suspended', since: 'suspended' };
    expect(cacheStep(suspended, trigger('dataChanged'), 1)).toEqual({ effect: 'none' });
    expect(cacheStep({ kind: 'idle' }, trigger('dataChanged'), 1)).toEqual({ effect: 'none' });
  });

  test('session states: suspend, resync on reconnected and on a new session, close', () => {
    expect(cacheStep(watching, session('suspended'), 1)).toEqual({
      effect: 'suspend',
      next: { kind: 'suspended', since: 'suspended' },
    });
    const lost: CacheState = { kind: 'suspended', since: 'lost' };
    expect(cacheStep(watching, session('lost'), 1)).toEqual({ effect: 'suspend', next: lost });
    // A stale `suspended` after `lost` keeps the stronger fact.
    expect(cacheStep(lost, session('suspended'), 2)).toEqual({ effect: 'none' });
    expect(cacheStep(lost, session('connected', 2), 2)).toEqual({
      effect: 'sync',
      next: { kind: 'syncing', generation: 2 },
      reason: 'connected',
    });
    expect(cacheStep(watching, session('reconnected'), 1)).toMatchObject({ effect: 'sync' });
    expect(cacheStep({ kind: 'idle' }, session('reconnected'), 1)).toEqual({ effect: 'none' });
    expect(cacheStep(watching, session('closed'), 1)).toEqual({ effect: 'close' });
    expect(cacheStep({ kind: 'closed' }, session('connected', 2), 2)).toEqual({ effect: 'none' });
  });

  test('every step moves along a declared transition', () => {
    const states: CacheState[] = [
      { kind: 'idle' },
      syncing,
      watching,
      { kind: 'suspended', since: 'suspended' },
      { kind: 'suspended', since: 'lost' },
    ];
    const inputs: CacheInput[] = [
      { kind: 'start' },
      { kind: 'retry', stamp: { epoch: 0, generation: 1 } },
      trigger('dataChanged'),
      trigger('dataWatchRemoved'),
      ...(['connected', 'suspended', 'reconnected', 'lost', 'closed'] as const).map((s) =>
        session(s),
      ),
    ];
    for (const state of states)
      for (const input of inputs) {
        const step = cacheStep(state, input, 1);
        const to =
          step.effect === 'sync' || step.effect === 'suspend'
            ? step.next.kind
            : step.effect === 'close'
              ? 'closed'
              : undefined;
        if (to !== undefined) expect(CACHE_TRANSITIONS[state.kind]).toContain(to);
      }
  });
});

describe('LatestValue', () => {
  test('yields once known, skips to the newest, ends; return() releases a pending next()', async () => {
    let value = 0;
    const latest = new LatestValue(() => value);
    const iterator = latest.iterate();
    const first = iterator.next();
    value = 1;
    latest.changed();
    expect(await first).toEqual({ done: false, value: 1 });
    value = 2;
    latest.changed();
    value = 3;
    latest.changed();
    expect(await iterator.next()).toEqual({ done: false, value: 3 });
    const pending = iterator.next();
    await iterator.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    const other = latest.iterate();
    expect(await other.next()).toEqual({ done: false, value: 3 });
    const waiting = other.next();
    latest.end();
    expect(await waiting).toEqual({ done: true, value: undefined });
    expect(await latest.iterate().next()).toEqual({ done: true, value: undefined });
  });
});
