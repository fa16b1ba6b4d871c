/** Client-side watch bookkeeping: which watchers an event triggers, and SetWatches batching. */
import { describe, expect, test } from 'vitest';
import type { Watcher } from '../../src/session/transport/types.js';
import { batchWatchPaths, WatchRegistry } from '../../src/session/transport/wire/watches.js';

const w = (): Watcher => () => {};

describe('WatchRegistry', () => {
  test('one-time watchers fire once; persistent ones stay', () => {
    const reg = new WatchRegistry();
    const data = w();
    const exist = w();
    const child = w();
    const persistent = w();
    reg.add('data', '/a', data);
    reg.add('exist', '/a', exist);
    reg.add('child', '/a', child);
    reg.add('persistent', '/a', persistent);
    expect(reg.trigger('dataChanged', '/a')).toEqual(new Set([data, exist, persistent]));
    expect(reg.trigger('dataChanged', '/a')).toEqual(new Set([persistent]));
    expect(reg.trigger('childrenChanged', '/a')).toEqual(new Set([child, persistent]));
    expect(reg.trigger('childrenChanged', '/a')).toEqual(new Set([persistent]));
  });

  test('recursive watchers see descendants but not childrenChanged', () => {
    const reg = new WatchRegistry();
    const rec = w();
    reg.add('persistentRecursive', '/a', rec);
    expect(reg.trigger('created', '/a/b/c')).toEqual(new Set([rec]));
    expect(reg.trigger('deleted', '/a')).toEqual(new Set([rec]));
    expect(reg.trigger('childrenChanged', '/a')).toEqual(new Set());
    expect(reg.trigger('created', '/ab')).toEqual(new Set());
  });

  test('remove returns removal events by kind', () => {
    const reg = new WatchRegistry();
    const data = w();
    const child = w();
    const persistent = w();
    reg.add('data', '/a', data);
    reg.add('child', '/a', child);
    reg.add('persistent', '/a', persistent);
    expect(reg.remove('/a', 'data')).toEqual([[data, { type: 'dataWatchRemoved', path: '/a' }]]);
    expect(reg.remove('/a', 'any')).toEqual([
      [child, { type: 'childWatchRemoved', path: '/a' }],
      [persistent, { type: 'persistentWatchRemoved', path: '/a' }],
    ]);
    expect(reg.isEmpty).toBe(true);
  });
});

test('batchWatchPaths keeps every path and bounds each batch', () => {
  const paths = {
    data: Array.from({ length: 1000 }, (_, i) => `/data/${'x'.repeat(100)}/${i}`),
    exist: ['/e'],
    child: Array.from({ length: 500 }, (_, i) => `/child/${i}`),
    persistent: [],
    persistentRecursive: ['/r'],
  };
  const batches = batchWatchPaths(paths, 16 * 1024);
  expect(batches.length).toBeGreaterThan(1);
  for (const b of batches) {
    const bytes = Object.values(b)
      .flat()
      .reduce((n, p) => n + 4 + 3 * p.length, 0);
    expect(bytes).toBeLessThanOrEqual(16 * 1024);
  }
  for (const kind of ['data', 'exist', 'child', 'persistent', 'persistentRecursive'] as const) {
    expect(batches.flatMap((b) => b[kind])).toEqual(paths[kind]);
  }
});
