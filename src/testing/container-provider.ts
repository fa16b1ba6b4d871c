/**
 * The container provider: each server in its own container (testcontainers), started from the
 * official `zookeeper` image (3.8) or the image named by `ZOOKEEPER_IMAGE`.
 *
 * - Host networking: each server listens on its own 127.0.0.1 ports from ports.ts with the same
 *   zoo.cfg as a local server, so ensemble members reach each other and clients reach them at the
 *   same addresses, and a restarted container keeps its ports. This needs a Linux Docker engine.
 * - The image contract: it runs a server from `/conf/zoo.cfg` (written by us, so the official
 *   image's entrypoint keeps it) and reads JVM options from `$JVMFLAGS`. Any image that does so
 *   works (scripts/build-zookeeper-image.sh builds one without a registry).
 * - Stopping a server stops its container without removing it; starting it starts the same
 *   container again, so it keeps its data (and a standalone server its sessions).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRuntimeClient } from 'testcontainers';
import { onProcessExit, removeQuietly, startWatchdog } from './cleanup.js';
import { serverInfo, startMembers } from './cluster.js';
import { ZooKeeperStartError } from './errors.js';
import { waitUntilServing } from './four-letter-word.js';
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

export const DEFAULT_IMAGE = 'zookeeper:3.8';
/** Includes pulling the image on first use. */
const START_TIMEOUT_MS = 120_000;
const SERVE_TIMEOUT_MS = 30_000;
/** Seconds Docker waits after SIGTERM before it kills. */
const STOP_GRACE_S = 5;
const LOG_TAIL_LINES = 40;
const DOCKER_PROBE_TIMEOUT_MS = 10_000;

type Container = ReturnType<ContainerRuntimeClient['container']['getById']>;

/** testcontainers (and its Docker client) loads only when a container is wanted. */
async function runtimeClient(): Promise<ContainerRuntimeClient> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  return getContainerRuntimeClient();
}

/** Resolves undefined when a Docker engine answers, or why none does. */
export async function probeDocker(): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer in ${DOCKER_PROBE_TIMEOUT_MS} ms`)),
      DOCKER_PROBE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([runtimeClient(), timeout]);
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${(err as Error).message})`;
  } finally {
    clearTimeout(timer);
  }
}

/** Docker's log stream without a TTY: frames of [stream, 0, 0, 0, size (BE u32)] + payload. */
function demuxLogs(raw: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= raw.length) {
    const size = raw.readUInt32BE(offset + 4);
    parts.push(raw.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** Docker answers 304 (not modified) to stopping a stopped or starting a started container. */
function ignoreNotModified(err: unknown): void {
  if ((err as { statusCode?: number }).statusCode !== 304) throw err;
}

class ContainerServer {
  #container: Container | undefined;

  constructor(
    readonly index: number,
    readonly clientPort: number,
    readonly dir: string,
  ) {}

  get id(): string | undefined {
    return this.#container?.id;
  }

  /** Creates and starts the container; resolves once the server serves. */
  async create(
    client: ContainerRuntimeClient,
    image: string,
    all: readonly ServerPorts[],
    tickTimeMs: number,
  ): Promise<void> {
    const { GenericContainer } = await import('testcontainers');
    const content = [
      { content: zooCfg('/data', this.index, all, tickTimeMs), target: '/conf/zoo.cfg' },
    ];
    if (all.length > 1) content.push({ content: myId(this.index), target: '/data/myid' });
    try {
      const started = await new GenericContainer(image)
        .withNetworkMode('host')
        .withEnvironment({ JVMFLAGS: SERVER_JVM_OPTIONS.join(' ') })
        .withCopyContentToContainer(content)
        .withStartupTimeout(START_TIMEOUT_MS)
        .start();
      this.#container = client.container.getById(started.getId());
      // For the watchdog, should this process die without stopping the cluster.
      writeFileSync(join(this.dir, 'container'), started.getId());
    } catch (err) {
      throw new ZooKeeperStartError(
        this.index,
        `could not start a container of ${image}: ${(err as Error).message}`,
        '',
        { cause: err },
      );
    }
    await this.#waitUntilServing();
  }

  async start(): Promise<void> {
    await this.#required().start().catch(ignoreNotModified);
    await this.#waitUntilServing();
  }

  async stop(signal: StopSignal): Promise<void> {
    const container = this.#required();
    if (signal === 'SIGKILL') {
      await container.kill({ signal }).catch((err: unknown) => {
        // 409: not running.
        if ((err as { statusCode?: number }).statusCode !== 409) throw err;
      });
      await container.wait();
    } else {
      await container.stop({ t: STOP_GRACE_S }).catch(ignoreNotModified);
    }
  }

  async remove(): Promise<void> {
    await this.#container?.remove({ force: true, v: true }).catch(() => {
      // Already gone.
    });
  }

  async logTail(): Promise<string> {
    try {
      const raw = await this.#required().logs({ stdout: true, stderr: true, tail: LOG_TAIL_LINES });
      return demuxLogs(raw).trimEnd();
    } catch {
      return '';
    }
  }

  #required(): Container {
    if (this.#container === undefined) throw new Error(`server ${this.index} has no container`);
    return this.#container;
  }

  async #waitUntilServing(): Promise<void> {
    try {
      await waitUntilServing(SERVER_HOST, this.clientPort, {
        timeoutMs: SERVE_TIMEOUT_MS,
        failure: async () => {
          const state = (await this.#required().inspect()).State;
          return state.Running ? undefined : `its container exited (code ${state.ExitCode})`;
        },
      });
    } catch (err) {
      const tail = await this.logTail();
      throw new ZooKeeperStartError(this.index, (err as Error).message, tail, { cause: err });
    }
  }
}

async function startCluster(
  image: string,
  count: number,
  tickTimeMs: number,
): Promise<ZooKeeperCluster> {
  const client = await runtimeClient();
  // Holds only the container ids, for the watchdog.
  const dir = mkdtempSync(join(tmpdir(), 'zk-harness-'));
  const watchdog = startWatchdog(dir);
  const ports = assignPorts(count, await freePorts(count * 3));
  const servers = ports.map((p, i) => {
    const serverDir = join(dir, `server-${i}`);
    mkdirSync(serverDir);
    return new ContainerServer(i, p.client, serverDir);
  });
  const unregister = onProcessExit(() => {
    const ids = servers.flatMap((s) => (s.id === undefined ? [] : [s.id]));
    if (ids.length > 0) spawnSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore' });
    removeQuietly(dir);
  });
  const stopAll = async () => {
    await Promise.all(servers.map((s) => s.remove()));
    removeQuietly(dir);
    unregister();
    watchdog.release();
  };
  return startMembers(
    'container',
    ports.map((p, i) => serverInfo(i, SERVER_HOST, p.client)),
    {
      stopServer: (i, signal) => servers[i]!.stop(signal),
      startServer: (i) => servers[i]!.start(),
      stopAll,
    },
    () => servers.map((s) => s.create(client, image, ports, tickTimeMs)),
  );
}

/** Starts `count` servers (1 = standalone, 3 = ensemble) in containers of `image`. */
export function startContainerCluster(
  image: string,
  count: number,
  tickTimeMs: number,
): Promise<ZooKeeperCluster> {
  return retryOnPortClash(() => startCluster(image, count, tickTimeMs));
}
