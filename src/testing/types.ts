/** The public shapes of the test harness: what `startZooKeeper` returns and accepts. */

export type ProviderName = 'external' | 'container' | 'local';

export interface StartZooKeeperOptions {
  /** 1 for a standalone server (default), 3 for an ensemble. */
  servers?: 1 | 3;
  /**
   * The server tick in ms (default 200). The server's minimum session timeout is 2 ticks, so a
   * small tick lets tests use short session timeouts. Ignored by the external provider.
   */
  tickTimeMs?: number;
  /** Where the servers come from; 'auto' (default) tries external, container, then local. */
  provider?: 'auto' | ProviderName;
}

export interface ZooKeeperServerInfo {
  /** Position in `ZooKeeperCluster.servers` (myid is index + 1). */
  index: number;
  host: string;
  port: number;
  /** `host:port` of this server alone. */
  connectString: string;
}

export type StopSignal = 'SIGTERM' | 'SIGKILL';

export interface ZooKeeperCluster extends AsyncDisposable {
  /** All servers, e.g. `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  readonly connectString: string;
  readonly provider: ProviderName;
  readonly servers: readonly ZooKeeperServerInfo[];
  /** Stops every server and deletes their data. Idempotent. */
  stop(): Promise<void>;
  /** Stops one server: SIGTERM (default) for a clean shutdown, SIGKILL for a crash. */
  stopServer(i: number, opts?: { signal?: StopSignal }): Promise<void>;
  /** Starts a stopped server on its old port and data; resolves once it serves clients again. */
  startServer(i: number): Promise<void>;
  restartServer(i: number): Promise<void>;
  /** The index of the current leader (from `srvr`), 0 for a standalone server, undefined if none. */
  leaderIndex(): Promise<number | undefined>;
  /** The index of the server at `host:port` (as a client reports it), if it is one of ours. */
  serverIndexOf(hostPort: string): number | undefined;
  /** The index of the server `sessionId` is connected to (from `cons`), if any. */
  serverOfSession(sessionId: bigint): Promise<number | undefined>;
  /** Sends a four-letter word (`ruok`, `srvr`, `mntr`, `cons`, ...) to server `i`; resolves its answer. */
  fourLetterWord(i: number, word: string): Promise<string>;
}
