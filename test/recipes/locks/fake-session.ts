/**
 * An in-memory stand-in for the part of Session the contention engine uses, to script exact
 * interleavings in unit tests: sequence numbers (to wrap them), node owners (to plant a node of
 * another session), creates held open, and session states emitted on demand.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'eventemitter3';
import { ZkError } from '../../../src/session/errors.js';
import type { Session } from '../../../src/session/session.js';
import type { SessionEvents, SessionStateKind, WatchSink } from '../../../src/session/states.js';
import type { Stat } from '../../../src/session/transport/types.js';

const STAT: Stat = {
  czxid: 0n,
  mzxid: 0n,
  ctime: 0,
  mtime: 0,
  version: 0,
  cversion: 0,
  aversion: 0,
  ephemeralOwner: 0n,
  dataLength: 0,
  numChildren: 0,
  pzxid: 0n,
};

/** `%010d`, as ZooKeeper formats sequence numbers. */
export function sequenceText(n: number): string {
  return n < 0 ? `-${String(-n).padStart(9, '0')}` : String(n).padStart(10, '0');
}

export class FakeSession {
  generation = 1;
  sessionId: bigint | undefined = 0x100n;
  isConnected = true;
  isClosed = false;
  negotiatedTimeoutMs = 1_000;
  /** The next sequence number the "server" gives. */
  nextSequence = 0;
  /** Runs right after a getData set its watch, before the answer goes back. */
  afterWatch: ((path: string) => void) | undefined;
  /** When set, creates wait until `releaseCreates()`. */
  holdCreates = false;
  /** False: creates answer without a stat, as the native transport's (no create2). */
  createStat = true;
  readonly nodes = new Map<string, { owner: bigint; czxid: bigint }>();
  readonly calls: string[] = [];
  readonly #watches = new Map<string, WatchSink[]>();
  readonly #events = new EventEmitter<SessionEvents>();
  #zxid = 100n;
  #heldCreates: (() => void)[] = [];

  asSession(): Session {
    return this as unknown as Session;
  }

  on<E extends keyof SessionEvents>(event: E, listener: (...args: SessionEvents[E]) => void) {
    this.#events.on(event, listener as never);
    return this;
  }
  off<E extends keyof SessionEvents>(event: E, listener: (...args: SessionEvents[E]) => void) {
    this.#events.off(event, listener as never);
    return this;
  }

  /** Emits a session state; `lost` ends the session's nodes, `connected` starts the next one. */
  emit(state: SessionStateKind): void {
    const event = { state, sessionId: this.sessionId ?? 0n, generation: this.generation };
    if (state === 'lost') {
      for (const [path, node] of this.nodes)
        if (node.owner === this.sessionId) this.nodes.delete(path);
      this.#watches.clear();
      this.generation += 1;
      this.sessionId = undefined;
      this.isConnected = false;
    }
    if (state === 'connected') this.sessionId = BigInt(0x100 + this.generation);
    this.isConnected = state === 'connected' || state === 'reconnected';
    this.#events.emit('state', event);
  }

  /** Plants a node made by someone else. */
  add(path: string, owner = 0x999n): string {
    this.#put(path, owner);
    return path;
  }

  #put(path: string, owner: bigint): { owner: bigint; czxid: bigint } {
    const node = { owner, czxid: this.#zxid++ };
    this.nodes.set(path, node);
    return node;
  }

  releaseCreates(): void {
    const held = this.#heldCreates;
    this.#heldCreates = [];
    for (const go of held) go();
  }

  async createProtected(parent: string, name: string): Promise<{ path: string; stat?: Stat }> {
    this.calls.push('create');
    if (this.holdCreates) await new Promise<void>((r) => this.#heldCreates.push(r));
    if (this.sessionId === undefined) throw new ZkError('CONNECTIONLOSS', parent);
    const path = `${parent}/_c_${randomUUID()}-${name}${sequenceText(this.nextSequence)}`;
    this.nextSequence = (this.nextSequence + 1) | 0; // a signed 32-bit counter wraps, as ZooKeeper's does
    const node = this.#put(path, this.sessionId);
    // As create2 answers: the new node's stat, so the engine knows its owner without a read.
    if (!this.createStat) return { path };
    return { path, stat: { ...STAT, czxid: node.czxid, ephemeralOwner: node.owner } };
  }

  async getChildren(parent: string) {
    this.calls.push('getChildren');
    const children = [...this.nodes.keys()]
      .filter((p) => p.startsWith(`${parent}/`))
      .map((p) => p.slice(parent.length + 1));
    return { children, stat: STAT };
  }

  async getData(path: string, options: { watch?: WatchSink } = {}) {
    this.calls.push(`getData ${path}`);
    const node = this.nodes.get(path);
    if (node === undefined) throw new ZkError('NONODE', path);
    if (options.watch) {
      this.#watches.set(path, [...(this.#watches.get(path) ?? []), options.watch]);
      this.afterWatch?.(path);
    }
    return {
      data: Buffer.alloc(0),
      stat: { ...STAT, czxid: node.czxid, ephemeralOwner: node.owner },
    };
  }

  async delete(path: string) {
    this.calls.push(`delete ${path}`);
    if (!this.nodes.delete(path)) throw new ZkError('NONODE', path);
    this.trigger(path, 'deleted');
  }

  /** Fires (and so uses up) the watches set on `path`, as a change of it would. */
  trigger(path: string, type: 'deleted' | 'dataChanged'): void {
    const sinks = this.#watches.get(path) ?? [];
    this.#watches.delete(path);
    for (const sink of sinks) sink({ kind: 'watch', type, path, generation: this.generation });
  }

  async waitUntilConnected(): Promise<void> {}
}
