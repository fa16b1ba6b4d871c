/**
 * The provider-independent part of a ZooKeeperCluster: index checks, 4lw queries, leader lookup,
 * address mapping and an idempotent stop. Providers supply only the server controls.
 */
import { ClusterStoppedError } from './errors.js';
import { fourLetterWord, parseMode } from './four-letter-word.js';
import type { ProviderName, StopSignal, ZooKeeperCluster, ZooKeeperServerInfo } from './types.js';

/** What a provider does to its servers. Indexes are checked before these are called. */
export interface ServerControls {
  stopServer(i: number, signal: StopSignal): Promise<void>;
  /** Resolves once server `i` serves clients again. */
  startServer(i: number): Promise<void>;
  /** Stops every server and deletes their data; called at most once. */
  stopAll(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

function splitHostPort(hostPort: string): { host: string; port: number } | undefined {
  const colon = hostPort.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(hostPort.slice(colon + 1));
  return Number.isInteger(port) ? { host: hostPort.slice(0, colon), port } : undefined;
}

export function serverInfo(index: number, host: string, port: number): ZooKeeperServerInfo {
  return { index, host, port, connectString: `${host}:${port}` };
}

/**
 * Starts every member at once (an ensemble member waits for a quorum before it serves) and
 * returns the cluster; if any fails, stops them all and rethrows its error.
 */
export async function startMembers(
  provider: ProviderName,
  servers: readonly ZooKeeperServerInfo[],
  controls: ServerControls,
  startAll: () => Promise<void>[],
): Promise<ZooKeeperCluster> {
  const started = await Promise.allSettled(startAll());
  const failed = started.find((r) => r.status === 'rejected');
  if (failed !== undefined) {
    await controls.stopAll();
    throw failed.reason;
  }
  return new ZooKeeperClusterImpl(provider, servers, controls);
}

export class ZooKeeperClusterImpl implements ZooKeeperCluster {
  readonly connectString: string;
  readonly provider: ProviderName;
  readonly servers: readonly ZooKeeperServerInfo[];
  readonly #controls: ServerControls;
  #stopped: Promise<void> | undefined;

  constructor(
    provider: ProviderName,
    servers: readonly ZooKeeperServerInfo[],
    controls: ServerControls,
    connectString = servers.map((s) => s.connectString).join(','),
  ) {
    this.provider = provider;
    this.servers = servers;
    this.connectString = connectString;
    this.#controls = controls;
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#controls.stopAll();
    return this.#stopped;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  stopServer(i: number, opts?: { signal?: StopSignal }): Promise<void> {
    return this.#control(i, () => this.#controls.stopServer(i, opts?.signal ?? 'SIGTERM'));
  }

  startServer(i: number): Promise<void> {
    return this.#control(i, () => this.#controls.startServer(i));
  }

  restartServer(i: number): Promise<void> {
    return this.#control(i, async () => {
      await this.#controls.stopServer(i, 'SIGTERM');
      await this.#controls.startServer(i);
    });
  }

  async leaderIndex(): Promise<number | undefined> {
    const modes = await Promise.all(
      this.servers.map((s) =>
        fourLetterWord(s.host, s.port, 'srvr').then(parseMode, () => undefined),
      ),
    );
    const index = modes.findIndex((mode) => mode === 'leader' || mode === 'standalone');
    return index === -1 ? undefined : index;
  }

  serverIndexOf(hostPort: string): number | undefined {
    const wanted = splitHostPort(hostPort);
    if (wanted === undefined) return undefined;
    const sameHost = (host: string) =>
      host === wanted.host || (LOOPBACK.has(host) && LOOPBACK.has(wanted.host));
    return this.servers.find((s) => s.port === wanted.port && sameHost(s.host))?.index;
  }

  async serverOfSession(sessionId: bigint): Promise<number | undefined> {
    // `cons` lists each connection with `sid=0x<hex>`; a session is on at most one server.
    const needle = `sid=0x${BigInt.asUintN(64, sessionId).toString(16)},`;
    const lists = await Promise.all(
      this.servers.map((s) => fourLetterWord(s.host, s.port, 'cons').catch(() => '')),
    );
    const index = lists.findIndex((cons) => cons.includes(needle));
    return index === -1 ? undefined : index;
  }

  async fourLetterWord(i: number, word: string): Promise<string> {
    const server = this.#server(i);
    return fourLetterWord(server.host, server.port, word);
  }

  #server(i: number): ZooKeeperServerInfo {
    const server = this.servers[i];
    if (server === undefined) {
      throw new RangeError(
        `no server ${i}: this cluster has servers 0..${this.servers.length - 1}`,
      );
    }
    return server;
  }

  async #control(i: number, action: () => Promise<void>): Promise<void> {
    this.#server(i);
    if (this.#stopped !== undefined) throw new ClusterStoppedError();
    await action();
  }
}
