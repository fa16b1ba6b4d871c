/**
 * The external provider: an existing ZooKeeper named by `ZOOKEEPER_CONNECT`
 * (`host:port[,host:port...][/chroot]`). The harness does not own it, so it never stops it,
 * never deletes its data, and rejects server controls with UnmanagedServerError.
 */
import { serverInfo, ZooKeeperClusterImpl } from './cluster.js';
import { UnmanagedServerError, ZooKeeperUnavailableError } from './errors.js';
import { fourLetterWord } from './four-letter-word.js';
import type { ZooKeeperCluster, ZooKeeperServerInfo } from './types.js';

function parseServers(connect: string): ZooKeeperServerInfo[] {
  const hosts = connect.split('/')[0] ?? '';
  return hosts.split(',').map((hostPort, i) => {
    const colon = hostPort.lastIndexOf(':');
    const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
    const port = colon === -1 ? 2181 : Number(hostPort.slice(colon + 1));
    if (host === '' || !Number.isInteger(port)) {
      throw new ZooKeeperUnavailableError([`ZOOKEEPER_CONNECT=${connect} is not host:port[,...]`]);
    }
    return serverInfo(i, host, port);
  });
}

/** Uses the server(s) of `connect` once one of them answers on its client port. */
export async function startExternalCluster(connect: string): Promise<ZooKeeperCluster> {
  const servers = parseServers(connect);
  // Any answer proves the port serves ZooKeeper, even "ruok is not in the whitelist".
  const answers = await Promise.allSettled(
    servers.map((s) => fourLetterWord(s.host, s.port, 'ruok')),
  );
  if (!answers.some((a) => a.status === 'fulfilled')) {
    throw new ZooKeeperUnavailableError([`no server of ZOOKEEPER_CONNECT=${connect} answers`]);
  }
  const unmanaged = (operation: string) => () =>
    Promise.reject(new UnmanagedServerError(operation));
  return new ZooKeeperClusterImpl(
    'external',
    servers,
    {
      stopServer: unmanaged('stopServer'),
      startServer: unmanaged('startServer'),
      stopAll: () => Promise.resolve(),
    },
    connect,
  );
}
