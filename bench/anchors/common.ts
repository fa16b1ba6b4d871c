/**
 * What every anchors workload shares: the CLI arguments, the clock, nearest-rank percentiles,
 * the one JSON result line, the shared LCG, base paths and cleanup. The definitions follow the
 * anchors README (CLI contract) so that our numbers compare with Curator's and kazoo's.
 */

import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ZkError } from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';

export type Args = Readonly<Record<string, string>>;
export type TransportKind = 'wire' | 'native';

/** The lib label of the result line. `ts` is the library on its default (wire) transport. */
export const LIB = 'ts';

/**
 * `--key value` pairs, and `--flag` alone meaning "true", exactly as python/bench.py parses them
 * (a value may not start with `--`).
 */
export function parseArgs(argv: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i] ?? '';
    if (!key.startsWith('--')) throw new Error(`bad arg ${JSON.stringify(key)}`);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) {
      out[key.slice(2)] = next;
      i++;
    } else out[key.slice(2)] = 'true';
  }
  if (out.connect === undefined) throw new Error('--connect HOST:PORT required');
  return out;
}

export function intArg(args: Args, key: string, fallback: number): number {
  const raw = args[key];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`--${key} expects an integer, got ${raw}`);
  return value;
}

export function transportArg(args: Args): TransportKind {
  const t = args.transport ?? 'wire';
  if (t !== 'wire' && t !== 'native') throw new Error(`--transport wire|native, got ${t}`);
  return t;
}

/**
 * The lib label of a result line: `ts` on the default wire transport, `ts-native` on the native
 * one. summarize.py keys rows by (workload, variant, lib) and its variants ignore our extra
 * parameters, so a different transport must be a different lib to get its own row.
 */
export function libLabel(args: Args): string {
  return transportArg(args) === 'native' ? `${LIB}-native` : LIB;
}

/** The session timeout every workload uses unless `--session-timeout` says otherwise. */
export function sessionMs(args: Args): number {
  return intArg(args, 'session-timeout', 10_000);
}

/** Monotonic nanoseconds (CLOCK_MONOTONIC, like System.nanoTime / perf_counter_ns). */
export const now = (): bigint => process.hrtime.bigint();

export const ms = (ns: bigint): number => Number(ns) / 1e6;

export const seconds = (ns: bigint): number => Number(ns) / 1e9;

/** Nearest rank: sort, then element ceil(q*n), 1-based (the Java and Python definition). */
export function pct(xs: readonly number[], q: number): number | null {
  if (xs.length === 0) return null;
  const sorted = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.min(sorted.length, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] ?? null;
}

export function round3(x: number | null | undefined): number | null {
  if (x === null || x === undefined || !Number.isFinite(x)) return null;
  return Math.round(x * 1000) / 1000;
}

export const log = (...parts: unknown[]): void => {
  console.error('[anchors-ts]', ...parts);
};

/** Versions for `extra.versions`: ours, Node's, and the binding's when it is in play. */
export function versions(extra: Record<string, string> = {}): Record<string, string> {
  const require = createRequire(import.meta.url);
  const own = require('../../package.json') as { name: string; version: string };
  return { [own.name]: own.version, node: process.versions.node, ...extra };
}

export function bindingVersion(): string {
  const require = createRequire(import.meta.url);
  try {
    return (require('zookeeper/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

export interface Result {
  workload: string;
  params: Record<string, unknown>;
  opsPerS: number | null;
  p50: number | null;
  p99: number | null;
  ok: boolean;
  extra: Record<string, unknown>;
  /** Default `ts`; the baseline subjects of `raw` label themselves differently (see raw.ts). */
  lib?: string;
  versions?: Record<string, string>;
}

let emitted = false;

/** The one line on stdout. Floats in `extra` are rounded as the Python harness rounds them. */
export function emit(r: Result): void {
  if (emitted) throw new Error('a result line was already printed');
  emitted = true;
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.extra))
    extra[k] = typeof v === 'number' && !Number.isInteger(v) ? round3(v) : v;
  extra.versions = r.versions ?? versions();
  const line = {
    lib: r.lib ?? LIB,
    workload: r.workload,
    params: r.params,
    ops_per_s: round3(r.opsPerS),
    p50_ms: round3(r.p50),
    p99_ms: round3(r.p99),
    ok: r.ok,
    extra,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export const hasEmitted = (): boolean => emitted;

/** The LCG shared by all libraries: x = (x*1103515245 + 12345) mod 2^31, value (x >> 16) % bound. */
export class Lcg {
  #x: bigint;
  constructor(seed = 42) {
    this.#x = BigInt(seed) & 0x7fffffffn;
  }
  next(bound: number): number {
    // BigInt: x*1103515245 exceeds 2^53, so plain numbers would lose the low bits.
    this.#x = (this.#x * 1103515245n + 12345n) & 0x7fffffffn;
    return Number(this.#x >> 16n) % bound;
  }
}

/** `/anchors/ts/<workload>-<8 hex>`. */
export function basePath(workload: string): string {
  return `/anchors/${LIB}/${workload}-${randomBytes(4).toString('hex')}`;
}

export function connectSession(
  connect: string,
  timeoutMs: number,
  transport: TransportKind = 'wire',
): Promise<Session> {
  return Session.connect({ connectString: connect, sessionTimeoutMs: timeoutMs, transport });
}

/** Deletes `path` and everything below it; a node that is already gone is fine. */
export async function deleteTree(session: Session, path: string): Promise<void> {
  let children: string[];
  try {
    ({ children } = await session.getChildren(path));
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return;
    throw err;
  }
  await Promise.all(children.map((c) => deleteTree(session, `${path}/${c}`)));
  try {
    await session.delete(path);
  } catch (err) {
    if (err instanceof ZkError && err.code === 'NONODE') return;
    // A child appeared meanwhile (an ephemeral of a session still closing): once more.
    if (err instanceof ZkError && err.code === 'NOTEMPTY') return deleteTree(session, path);
    throw err;
  }
}

export async function closeQuietly(closable: { close(): Promise<void> } | undefined) {
  try {
    await closable?.close();
  } catch (err) {
    log('close failed:', err);
  }
}

export const sleep = (msec: number) => new Promise<void>((r) => setTimeout(r, msec));

/**
 * Memory in use after a full GC: V8's heap, and the ArrayBuffers outside it (socket and encoding
 * buffers), to measure what a recipe keeps per instance. The runner starts without
 * --expose-gc, so the flag is set at run time and `gc` taken from a fresh context.
 */
export function memoryAfterGc(): { heap: number; buffers: number } {
  v8.setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return { heap: heapUsed, buffers: arrayBuffers };
}
