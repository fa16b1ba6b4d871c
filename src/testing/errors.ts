/**
 * Errors of the test harness. Each has a `name`, a message that tells a developer what to do,
 * and structured fields where a test may want to look closer.
 */

/** The setup command that makes a local ZooKeeper available (see scripts/setup.sh). */
export const SETUP_HINT =
  'run `bash scripts/setup.sh` (or `sudo apt-get install -y default-jre-headless zookeeper`), ' +
  'start Docker, or set ZOOKEEPER_CONNECT to an existing server';

/** No provider can give us a ZooKeeper: no external server, no Docker engine, no local install. */
export class ZooKeeperUnavailableError extends Error {
  override name = 'ZooKeeperUnavailableError';
  /** Why each provider that was tried could not be used, in the order tried. */
  readonly reasons: readonly string[];
  constructor(reasons: readonly string[], options?: ErrorOptions) {
    super(`no ZooKeeper available: ${reasons.join('; ')}. To fix: ${SETUP_HINT}`, options);
    this.reasons = reasons;
  }
}

/** A server process or container did not come up (or come back) serving clients. */
export class ZooKeeperStartError extends Error {
  override name = 'ZooKeeperStartError';
  /** The index of the server in the cluster. */
  readonly serverIndex: number;
  /** The last lines of the server's log, if any were available. */
  readonly logTail: string;
  constructor(serverIndex: number, reason: string, logTail: string, options?: ErrorOptions) {
    super(
      `ZooKeeper server ${serverIndex} failed to start: ${reason}` +
        (logTail === '' ? '' : `\n--- last lines of its log ---\n${logTail}`),
      options,
    );
    this.serverIndex = serverIndex;
    this.logTail = logTail;
  }
}

/** A control (stop/start a server) was asked of a server the harness does not manage (ZOOKEEPER_CONNECT). */
export class UnmanagedServerError extends Error {
  override name = 'UnmanagedServerError';
  constructor(operation: string, options?: ErrorOptions) {
    super(
      `${operation} needs a server managed by the harness, but ZOOKEEPER_CONNECT points to an ` +
        "existing one: unset ZOOKEEPER_CONNECT or use provider 'local' / 'container'",
      options,
    );
  }
}

/** A four-letter-word command could not be sent or got no answer. */
export class FourLetterWordError extends Error {
  override name = 'FourLetterWordError';
  readonly word: string;
  readonly hostPort: string;
  constructor(word: string, hostPort: string, reason: string, options?: ErrorOptions) {
    super(`four-letter word '${word}' to ${hostPort} failed: ${reason}`, options);
    this.word = word;
    this.hostPort = hostPort;
  }
}

/** `expireSession` could not expire the session on the server. */
export class ExpireSessionError extends Error {
  override name = 'ExpireSessionError';
}

/** A server control was called after the cluster was stopped. */
export class ClusterStoppedError extends Error {
  override name = 'ClusterStoppedError';
  constructor(options?: ErrorOptions) {
    super('the ZooKeeper cluster is stopped', options);
  }
}
