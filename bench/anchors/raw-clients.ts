/**
 * The subjects of the `raw` workload behind one callback-shaped interface, so that the pipelined
 * loop in raw.ts is the same code for all of them:
 * - `session`: our Session (promise API) on the wire or the native transport;
 * - `raw-binding`: the `zookeeper` npm binding's own `a_*` calls with completion callbacks, no
 *   code of ours in the path. It is the round-trip baseline, the way Curator's raw row uses
 *   `inBackground` callbacks and kazoo's uses `*_async` + `rawlink`.
 */
import { newNativeHandle } from '../../src/session/transport/native/binding.js';
import type { TransportKind } from './common.js';
import { connectSession } from './common.js';

/** `ok` is false when the operation failed (or, for a get, returned the wrong data length). */
export type Done = (ok: boolean) => void;

export interface RawClient {
  readonly label: string;
  create(path: string, data: Buffer, done: Done): void;
  get(path: string, size: number, done: Done): void;
  remove(path: string, done: Done): void;
  /** Sequential use only: resolves when the write is acknowledged. */
  set(path: string, data: Buffer): Promise<void>;
  /** Creates a persistent node and its missing parents (untimed setup). */
  ensure(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function sessionClient(
  connect: string,
  sessionMs: number,
  transport: TransportKind,
): Promise<RawClient> {
  const s = await connectSession(connect, sessionMs, transport);
  const settle = (p: Promise<unknown>, done: Done, check?: (v: unknown) => boolean) =>
    p.then(
      (v) => done(check === undefined || check(v)),
      () => done(false),
    );
  return {
    label: `session-${transport}`,
    create: (p, data, done) => settle(s.create(p, data), done),
    get: (p, size, done) =>
      settle(s.getData(p), done, (v) => (v as { data: Buffer }).data.length === size),
    remove: (p, done) => settle(s.delete(p), done),
    set: async (p, data) => {
      await s.setData(p, data);
    },
    ensure: (p) => s.ensurePath(p, { mode: 'persistent' }),
    close: () => s.close(),
  };
}

const ZOO_PERSISTENT = 0;

export async function bindingClient(connect: string, sessionMs: number): Promise<RawClient> {
  const zk = newNativeHandle();
  await new Promise<void>((resolve, reject) => {
    zk.on('connect', () => resolve());
    zk.on('close', (_h, code) => reject(new Error(`binding closed (state ${code})`)));
    zk.init({ connect, timeout: sessionMs });
  });
  // A non-zero synchronous result means the completion will never be called.
  const sync = (rc: number, done: Done) => {
    if (rc !== 0) done(false);
  };
  const create = (p: string, data: Buffer) =>
    new Promise<number>((resolve) =>
      sync(
        zk.a_create(p, data, ZOO_PERSISTENT, (rc) => resolve(rc)),
        () => resolve(-1),
      ),
    );
  return {
    label: 'raw-binding',
    create: (p, data, done) =>
      sync(
        zk.a_create(p, data, ZOO_PERSISTENT, (rc) => done(rc === 0)),
        done,
      ),
    get: (p, size, done) =>
      sync(
        zk.a_get(p, false, (rc, _e, _stat, data) => done(rc === 0 && data?.length === size)),
        done,
      ),
    remove: (p, done) =>
      sync(
        zk.a_delete_(p, -1, (rc) => done(rc === 0)),
        done,
      ),
    set: (p, data) =>
      new Promise<void>((resolve, reject) => {
        const rc = zk.a_set(p, data, -1, (code, err) =>
          code === 0 ? resolve() : reject(new Error(`set ${p}: ${err}`)),
        );
        if (rc !== 0) reject(new Error(`set ${p}: rc ${rc}`));
      }),
    ensure: async (p) => {
      // -110 ZNODEEXISTS is fine; -101 ZNONODE: make the parent first.
      let rc = await create(p, Buffer.alloc(0));
      if (rc === -101) {
        await bindingEnsureParent(p, (q) => create(q, Buffer.alloc(0)));
        rc = await create(p, Buffer.alloc(0));
      }
      if (rc !== 0 && rc !== -110) throw new Error(`create ${p}: rc ${rc}`);
    },
    close: async () => {
      zk.close();
    },
  };
}

async function bindingEnsureParent(path: string, create: (p: string) => Promise<number>) {
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) await create(`/${parts.slice(0, i).join('/')}`);
}
