/**
 * Contract cases for the optional features: for each one the implementation declares it lacks,
 * the honest refusal; for each other one, the real behaviour.
 */
import { describe, expect, test } from 'vitest';
import { READ_ACL_UNSAFE, type Transport } from '../../src/session/transport/types.js';
import { expectZkError } from './cases-operations.js';
import type { ContractContext, OptionalFeature } from './context.js';
import { bytes, EPHEMERAL, PERSISTENT, sleep, uniquePath, WatchRecorder } from './helpers.js';

type Case = (transport: Transport, path: string) => Promise<void>;

interface FeatureCases {
  /** What the feature does when the implementation has it. */
  real: Case;
  /** How the implementation refuses it when it lacks it. */
  refused: Case;
}

const refusedWithUnimplemented =
  (call: (transport: Transport, path: string) => Promise<unknown>): Case =>
  async (transport, path) => {
    await expectZkError(call(transport, path), 'UNIMPLEMENTED');
  };

const FEATURES: Record<OptionalFeature, FeatureCases> = {
  multi: {
    async real(transport, path) {
      const created = await transport.multi([
        { op: 'create', path, data: bytes('a'), options: PERSISTENT },
        { op: 'setData', path, data: bytes('b'), version: 0 },
        { op: 'check', path, version: 1 },
      ]);
      expect(created.map((r) => r.op)).toEqual(['create', 'setData', 'check']);
      expect(created[0]).toMatchObject({ op: 'create', path });
      expect(created[1]).toMatchObject({ op: 'setData', stat: { version: 1 } });

      // All or nothing: the failing check undoes the create before it.
      const failed = await transport.multi([
        { op: 'create', path: `${path}/child`, data: bytes(''), options: PERSISTENT },
        { op: 'check', path, version: 0 },
      ]);
      expect(failed.every((r) => r.op === 'error')).toBe(true);
      expect(failed[1]).toEqual({ op: 'error', code: -103 });
      expect(await transport.exists(`${path}/child`)).toBeNull();
    },
    refused: refusedWithUnimplemented((t, path) => t.multi([{ op: 'check', path, version: -1 }])),
  },
  multiRead: {
    async real(transport, path) {
      await transport.create(path, bytes('data'), PERSISTENT);
      await transport.create(`${path}/a`, bytes(''), PERSISTENT);
      const results = await transport.multiRead([
        { op: 'getData', path },
        { op: 'getChildren', path },
        { op: 'getData', path: `${path}/missing` },
      ]);
      expect(results[0]).toMatchObject({ op: 'getData', stat: { numChildren: 1 } });
      expect((results[0] as { data: Buffer }).data.toString()).toBe('data');
      expect(results[1]).toEqual({ op: 'getChildren', children: ['a'] });
      expect(results[2]).toEqual({ op: 'error', code: -101 });
    },
    refused: refusedWithUnimplemented((t, path) => t.multiRead([{ op: 'getData', path }])),
  },
  create2: {
    async real(transport, path) {
      const { stat } = await transport.create(path, bytes('abc'), PERSISTENT);
      expect(stat).toMatchObject({ version: 0, dataLength: 3 });
      expect(stat?.czxid).toBe((await transport.exists(path))?.czxid);
    },
    async refused(transport, path) {
      expect(await transport.create(path, bytes('abc'), PERSISTENT)).toEqual({ path });
    },
  },
  createWithAcl: {
    async real(transport, path) {
      await transport.create(path, bytes(''), { mode: 'persistent', acl: READ_ACL_UNSAFE });
      expect((await transport.getAcl(path)).acl).toEqual(READ_ACL_UNSAFE);
      await expectZkError(transport.setData(path, bytes('x'), -1), 'NOAUTH', path);
    },
    async refused(transport, path) {
      await expectZkError(
        transport.create(path, bytes(''), { mode: 'persistent', acl: READ_ACL_UNSAFE }),
        'UNIMPLEMENTED',
      );
      expect(await transport.exists(path)).toBeNull();
    },
  },
  addWatch: {
    // One mode per node: the server keeps a single watch mode per session and path.
    async real(transport, path) {
      const flat = `${path}-flat`;
      const tree = `${path}-tree`;
      await transport.create(flat, bytes(''), PERSISTENT);
      await transport.create(tree, bytes(''), PERSISTENT);
      const persistent = new WatchRecorder();
      const recursive = new WatchRecorder();
      await transport.addWatch(flat, 'persistent', persistent.watcher);
      await transport.addWatch(tree, 'persistentRecursive', recursive.watcher);
      for (const node of [flat, tree]) {
        await transport.setData(node, bytes('1'), -1);
        await transport.setData(node, bytes('2'), -1);
        await transport.create(`${node}/a`, bytes(''), PERSISTENT);
        await transport.setData(`${node}/a`, bytes('3'), -1);
      }
      expect(await persistent.waitFor(3)).toEqual([
        { type: 'dataChanged', path: flat },
        { type: 'dataChanged', path: flat },
        { type: 'childrenChanged', path: flat },
      ]);
      expect(await recursive.waitFor(4)).toEqual([
        { type: 'dataChanged', path: tree },
        { type: 'dataChanged', path: tree },
        { type: 'created', path: `${tree}/a` },
        { type: 'dataChanged', path: `${tree}/a` },
      ]);
      await sleep(300);
      expect(persistent.events).toHaveLength(3);
    },
    refused: refusedWithUnimplemented((t, path) => t.addWatch(path, 'persistent', () => {})),
  },
  removeWatches: {
    async real(transport, path) {
      await transport.create(path, bytes(''), PERSISTENT);
      const recorder = new WatchRecorder();
      await transport.getData(path, recorder.watcher);
      await transport.removeWatches(path, 'data');
      await transport.setData(path, bytes('x'), -1);
      await sleep(300);
      expect(recorder.events.filter((e) => e.type === 'dataChanged')).toEqual([]);
      await expectZkError(transport.removeWatches(path, 'data'), 'NOWATCHER', path);
    },
    refused: refusedWithUnimplemented((t, path) => t.removeWatches(path, 'any')),
  },
  getEphemerals: {
    async real(transport, path) {
      await transport.create(path, bytes(''), PERSISTENT);
      await transport.create(`${path}/e1`, bytes(''), EPHEMERAL);
      await transport.create(`${path}/e2`, bytes(''), EPHEMERAL);
      await transport.create(`${path}/p`, bytes(''), PERSISTENT);
      expect([...(await transport.getEphemerals(path))].sort()).toEqual([
        `${path}/e1`,
        `${path}/e2`,
      ]);
    },
    refused: refusedWithUnimplemented((t, path) => t.getEphemerals(path)),
  },
  getAllChildrenNumber: {
    async real(transport, path) {
      await transport.create(path, bytes(''), PERSISTENT);
      await transport.create(`${path}/a`, bytes(''), PERSISTENT);
      await transport.create(`${path}/a/b`, bytes(''), PERSISTENT);
      await transport.create(`${path}/c`, bytes(''), PERSISTENT);
      expect(await transport.getAllChildrenNumber(path)).toBe(3);
    },
    refused: refusedWithUnimplemented((t, path) => t.getAllChildrenNumber(path)),
  },
};

export function optionalFeatureCases(ctx: ContractContext): void {
  for (const [feature, cases] of Object.entries(FEATURES) as Array<
    [OptionalFeature, FeatureCases]
  >) {
    const lacks = ctx.unimplemented.has(feature);
    describe(feature, () => {
      test(lacks ? 'declared unimplemented: refused honestly' : 'works', async () => {
        const { transport } = await ctx.pool.connect(ctx.zk.connectString);
        await (lacks ? cases.refused : cases.real)(transport, uniquePath(feature));
      });
    });
  }
}
