/**
 * The local provider: ZooKeeper servers as child JVMs of this process, on loopback ports, each
 * with its own data dir under one temp dir per cluster (configuration: server-config.ts).
 * A restarted server keeps its ports and data dir, so sessions survive a standalone restart.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killQuietly, onProcessExit, removeQuietly, startWatchdog } from './cleanup.js';
import { serverInfo, startMembers } from './cluster.js';
import { ZooKeeperStartError } from './errors.js';
import { waitUntilServing } from './four-letter-word.js';
import { type LaunchedProcess, Launcher } from './launcher.js';
import type { LocalInstall } from './local-install.js';
import { freePorts, retryOnPortClash } from './ports.js';
import {
  assignPorts,
  myId,
  SERVER_HOST,
  SERVER_JVM_OPTIONS,
  type ServerPorts,
  zooCfg,
} from './server-config.js';
import type { StopSignal, ZooKeeperCluster } from './types.js';

const START_TIMEOUT_MS = 30_000;
/** A SIGTERM'ed server that is not gone after this is killed. */
const STOP_GRACE_MS = 5_000;
const LOG_TAIL_LINES = 40;

const LOG_OPTIONS = [
  '-Dorg.slf4j.simpleLogger.showDateTime=true',
  '-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS',
];

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** One server: its files, and its JVM while it runs. */
class LocalServer {
  readonly #install: LocalInstall;
  readonly #launcher: Launcher;
  readonly #dir: string;
  readonly #cfg: string;
  readonly #log: string;
  readonly #pidFile: string;
  #process: LaunchedProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #exitReason: string | undefined;

  constructor(
    readonly index: number,
    readonly clientPort: number,
    clusterDir: string,
    allPorts: readonly ServerPorts[],
    tickTimeMs: number,
    install: LocalInstall,
    launcher: Launcher,
  ) {
    this.#install = install;
    this.#launcher = launcher;
    this.#dir = join(clusterDir, `server-${index}`);
    const dataDir = join(this.#dir, 'data');
    mkdirSync(dataDir, { recursive: true });
    if (allPorts.length > 1) writeFileSync(join(dataDir, 'myid'), myId(index));
    this.#cfg = join(this.#dir, 'zoo.cfg');
    this.#log = join(this.#dir, 'zookeeper.log');
    this.#pidFile = join(this.#dir, 'pid');
    writeFileSync(this.#cfg, zooCfg(dataDir, index, allPorts, tickTimeMs));
  }

  logTail(): string {
    return tail(this.#log, LOG_TAIL_LINES);
  }

  /** Spawns the JVM unless it runs, and waits until it serves; on failure the JVM is killed. */
  async start(): Promise<void> {
    try {
      if (this.#process === undefined) await this.#spawn();
    } catch (err) {
      throw new ZooKeeperStartError(this.index, (err as Error).message, this.logTail(), {
        cause: err,
      });
    }
    try {
      await waitUntilServing(SERVER_HOST, this.clientPort, {
        timeoutMs: START_TIMEOUT_MS,
        failure: () => this.#exitReason,
      });
    } catch (err) {
      await this.stop('SIGKILL');
      throw new ZooKeeperStartError(this.index, (err as Error).message, this.logTail(), {
        cause: err,
      });
    }
  }

  async #spawn(): Promise<void> {
    const launched = await this.#launcher.spawn(
      this.#install.java,
      [
        ...SERVER_JVM_OPTIONS,
        ...LOG_OPTIONS,
        `-Dzookeeper.log.dir=${this.#dir}`,
        '-cp',
        this.#install.classpath,
        'org.apache.zookeeper.server.quorum.QuorumPeerMain',
        this.#cfg,
      ],
      // Appending keeps the log of earlier runs of this server across restarts.
      this.#log,
    );
    this.#process = launched;
    this.#exitReason = undefined;
    this.#exited = launched.exited.then((reason) => {
      this.#exitReason = `its JVM exited (${reason})`;
      if (this.#process === launched) this.#process = undefined;
      rmSync(this.#pidFile, { force: true });
    });
    writeFileSync(this.#pidFile, `${launched.pid}\n`);
  }

  /** Signals the JVM and waits until it is gone (SIGKILL after a grace period). */
  async stop(signal: StopSignal): Promise<void> {
    const child = this.#process;
    if (child === undefined) return;
    killQuietly(child.pid, signal);
    const timer = setTimeout(() => killQuietly(child.pid, 'SIGKILL'), STOP_GRACE_MS);
    await this.#exited;
    clearTimeout(timer);
  }

  /** For process-exit handlers: kill now, without waiting. */
  killSync(): void {
    killQuietly(this.#process?.pid);
  }
}

async function startCluster(
  install: LocalInstall,
  count: number,
  tickTimeMs: number,
): Promise<ZooKeeperCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'zk-harness-'));
  const watchdog = startWatchdog(dir);
  const launcher = new Launcher();
  const ports = assignPorts(count, await freePorts(count * 3));
  const servers = ports.map(
    (p, i) => new LocalServer(i, p.client, dir, ports, tickTimeMs, install, launcher),
  );
  const unregister = onProcessExit(() => {
    for (const server of servers) server.killSync();
    removeQuietly(dir);
  });
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.stop('SIGKILL')));
    launcher.close();
    removeQuietly(dir);
    unregister();
    watchdog.release();
  };
  return startMembers(
    'local',
    ports.map((p, i) => serverInfo(i, SERVER_HOST, p.client)),
    {
      stopServer: (i, signal) => servers[i]!.stop(signal),
      startServer: (i) => servers[i]!.start(),
      stopAll,
    },
    () => servers.map((s) => s.start()),
  );
}

/** Starts `count` servers (1 = standalone, 3 = ensemble) from a local install. */
export function startLocalCluster(
  install: LocalInstall,
  count: number,
  tickTimeMs: number,
): Promise<ZooKeeperCluster> {
  return retryOnPortClash(() => startCluster(install, count, tickTimeMs));
}
