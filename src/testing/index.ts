/**
 * `zookeeper-recipes/testing`: real ZooKeeper servers for tests, and fault helpers.
 *
 * @example
 * import { expireSession, startZooKeeper } from 'zookeeper-recipes/testing';
 * await using zk = await startZooKeeper({ servers: 3 });
 * // connect to zk.connectString; zk.stopServer(i), zk.restartServer(i), zk.leaderIndex() ...
 * await expireSession({ connectString: zk.connectString, credentials: { sessionId, password } });
 *
 * Environment:
 * - `ZOOKEEPER_CONNECT`: use this existing server (no server controls) instead of starting one.
 * - `ZOOKEEPER_IMAGE`: the container image (default `zookeeper:3.8`).
 * - `ZOOKEEPER_HOME`: an Apache ZooKeeper release to run locally (default: Debian's package).
 * - `JAVA_HOME`: the Java to run it with (default: `java` on PATH).
 * - testcontainers' own (`DOCKER_HOST`, `TESTCONTAINERS_RYUK_DISABLED`, ...).
 * Setup when nothing is available: `bash scripts/setup.sh`.
 */
export {
  ClusterStoppedError,
  ExpireSessionError,
  FourLetterWordError,
  UnmanagedServerError,
  ZooKeeperStartError,
  ZooKeeperUnavailableError,
} from './errors.js';
export {
  type ExpirableSession,
  type ExpireSessionOptions,
  expireSession,
} from './expire-session.js';
export { startZooKeeper } from './start-zookeeper.js';
export type {
  ProviderName,
  StartZooKeeperOptions,
  StopSignal,
  ZooKeeperCluster,
  ZooKeeperServerInfo,
} from './types.js';
