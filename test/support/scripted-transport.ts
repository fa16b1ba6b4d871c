/**
 * A Transport whose states and results the test scripts, to force exact interleavings in unit
 * tests of the session layer. Integration tests use real transports against a real server.
 */
import { ConnectionLossError, SessionClosedError, ZkError } from '../../src/session/errors.js';
import { Session, type SessionOptions } from '../../src/session/session.js';
import type {
  Stat,
  Transport,
  TransportFactory,
  TransportOptions,
  TransportState,
  Watcher,
} from '../../src/session/transport/types.js';

export const EMPTY_STAT: Stat = {
  czxid: 1n,
  mzxid: 1n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 1n,
};

type Handler = (path: string, ...args: unknown[]) => Promise<unknown>;

export class ScriptedTransport implements Transport {
  readonly kind = 'scripted';
  state: TransportState = { kind: 'connecting' };
  readonly options: TransportOptions;
  readonly calls: { op: string; path: string }[] = [];
  readonly watchers: { path: string; watcher: Watcher }[] = [];
  /** Per-op result scripts; the default answers NONODE. */
  readonly handlers = new Map<string, Handler>();
  closed = false;
  #listeners = new Set<(s: TransportState) => void>();

  constructor(options: TransportOptions) {
    this.options = options;
  }

  onState(listener: (state: TransportState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(state: TransportState): void {
    this.state = state;
    for (const l of [...this.#listeners]) l(state);
  }

  connect(sessionId = 0x1234n, negotiatedTimeoutMs = 1000): void {
    this.emit({
      kind: 'connected',
      sessionId,
      password: Buffer.alloc(16, 7),
      negotiatedTimeoutMs,
      readOnly: false,
    });
  }

  #run(op: string, path: string, ...args: unknown[]): Promise<never> {
    this.calls.push({ op, path });
    if (this.closed) return Promise.reject(new SessionClosedError());
    if (this.state.kind !== 'connected') return Promise.reject(new ConnectionLossError(path));
    const handler = this.handlers.get(op);
    if (handler) return handler(path, ...args) as Promise<never>;
    return Promise.reject(new ZkError('NONODE', path));
  }

  create(path: string, ...rest: unknown[]) {
    return this.#run('create', path, ...rest);
  }
  delete(path: string, ...rest: unknown[]) {
    return this.#run('delete', path, ...rest);
  }
  exists(path: string, watcher?: Watcher) {
    if (watcher) this.watchers.push({ path, watcher });
    return this.#run('exists', path);
  }
  getData(path: string, watcher?: Watcher) {
    if (watcher) this.watchers.push({ path, watcher });
    return this.#run('getData', path);
  }
  setData(path: string, ...rest: unknown[]) {
    return this.#run('setData', path, ...rest);
  }
  getChildren(path: string, watcher?: Watcher) {
    if (watcher) this.watchers.push({ path, watcher });
    return this.#run('getChildren', path);
  }
  getAllChildrenNumber(path: string) {
    return this.#run('getAllChildrenNumber', path);
  }
  getEphemerals(path: string) {
    return this.#run('getEphemerals', path);
  }
  sync(path: string) {
    return this.#run('sync', path);
  }
  getAcl(path: string) {
    return this.#run('getAcl', path);
  }
  setAcl(path: string, ...rest: unknown[]) {
    return this.#run('setAcl', path, ...rest);
  }
  multi(ops: readonly { path: string }[]) {
    return this.#run('multi', ops[0]?.path ?? '', ops);
  }
  multiRead(ops: readonly { path: string }[]) {
    return this.#run('multiRead', ops[0]?.path ?? '', ops);
  }
  addWatch(path: string, _mode: unknown, watcher: Watcher) {
    this.watchers.push({ path, watcher });
    return this.#run('addWatch', path);
  }
  removeWatches(path: string) {
    return this.#run('removeWatches', path);
  }
  addAuth(scheme: string) {
    return this.#run('addAuth', scheme);
  }
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.emit({ kind: 'closed' });
  }
}

/** A factory that records every transport it made, newest last. */
export function scriptedFactory(): { factory: TransportFactory; made: ScriptedTransport[] } {
  const made: ScriptedTransport[] = [];
  const factory: TransportFactory = (options) => {
    const t = new ScriptedTransport(options);
    made.push(t);
    return t;
  };
  return { factory, made };
}

/**
 * A Session on a scripted transport, connected with `sessionId` and `negotiatedTimeoutMs`, with
 * quick retries; `made` holds the transports the Session asked for, newest last.
 */
export async function connectScripted(
  options: { sessionId?: bigint; negotiatedTimeoutMs?: number } & Omit<
    Partial<SessionOptions>,
    'transport'
  > = {},
): Promise<{ session: Session; made: ScriptedTransport[] }> {
  const { sessionId = 0x10n, negotiatedTimeoutMs = 60_000, ...sessionOptions } = options;
  const { factory, made } = scriptedFactory();
  const pending = Session.connect({
    connectString: 'scripted:1',
    retry: { maxRetries: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...sessionOptions,
    transport: factory,
  });
  // Session.connect resolves its transport factory asynchronously before it makes the first one.
  await Promise.resolve();
  made[0]!.connect(sessionId, negotiatedTimeoutMs);
  return { session: await pending, made };
}
