/**
 * `startZooKeeper`: picks a provider and starts a standalone server or a 3-server ensemble.
 *
 * 'auto' tries, in order:
 * 1. `ZOOKEEPER_CONNECT`: an existing server the developer or CI chose (no server controls);
 * 2. containers, when a Docker engine answers (image: `ZOOKEEPER_IMAGE`, default zookeeper:3.8);
 * 3. a local install (`ZOOKEEPER_HOME`, or Debian's `zookeeper` package) run as child JVMs.
 */
import { DEFAULT_IMAGE, probeDocker, startContainerCluster } from './container-provider.js';
import { ZooKeeperUnavailableError } from './errors.js';
import { startExternalCluster } from './external-provider.js';
import { findLocalInstall } from './local-install.js';
import { startLocalCluster } from './local-provider.js';
import type { StartZooKeeperOptions, ZooKeeperCluster } from './types.js';

const DEFAULT_TICK_MS = 200;

function startLocal(count: number, tickTimeMs: number): Promise<ZooKeeperCluster> {
  const found = findLocalInstall();
  if (!found.ok) throw new ZooKeeperUnavailableError([found.reason]);
  return startLocalCluster(found.install, count, tickTimeMs);
}

async function startContainers(count: number, tickTimeMs: number): Promise<ZooKeeperCluster> {
  const noDocker = await probeDocker();
  if (noDocker !== undefined) throw new ZooKeeperUnavailableError([noDocker]);
  return startContainerCluster(process.env.ZOOKEEPER_IMAGE || DEFAULT_IMAGE, count, tickTimeMs);
}

function startExternal(): Promise<ZooKeeperCluster> {
  const connect = process.env.ZOOKEEPER_CONNECT;
  if (!connect) throw new ZooKeeperUnavailableError(['ZOOKEEPER_CONNECT is not set']);
  return startExternalCluster(connect);
}

/**
 * Starts ZooKeeper for a test and resolves once every server serves clients.
 *
 * @example
 * await using zk = await startZooKeeper({ servers: 3 });
 * await zk.stopServer((await zk.leaderIndex())!);
 */
export async function startZooKeeper(
  options: StartZooKeeperOptions = {},
): Promise<ZooKeeperCluster> {
  const count = options.servers ?? 1;
  const tickTimeMs = options.tickTimeMs ?? DEFAULT_TICK_MS;
  if (count !== 1 && count !== 3) throw new RangeError(`servers must be 1 or 3, not ${count}`);
  if (!Number.isInteger(tickTimeMs) || tickTimeMs <= 0) {
    throw new RangeError(`tickTimeMs must be a positive integer, not ${tickTimeMs}`);
  }
  switch (options.provider ?? 'auto') {
    case 'external':
      return startExternal();
    case 'local':
      return startLocal(count, tickTimeMs);
    case 'container':
      return startContainers(count, tickTimeMs);
    case 'auto': {
      if (process.env.ZOOKEEPER_CONNECT) return startExternal();
      const noDocker = await probeDocker();
      if (noDocker === undefined) {
        return startContainerCluster(
          process.env.ZOOKEEPER_IMAGE || DEFAULT_IMAGE,
          count,
          tickTimeMs,
        );
      }
      const local = findLocalInstall();
      if (!local.ok) throw new ZooKeeperUnavailableError([noDocker, local.reason]);
      return startLocalCluster(local.install, count, tickTimeMs);
    }
  }
}
