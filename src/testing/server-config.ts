/**
 * The configuration every managed server gets, whether it runs as a child JVM or in a container
 * (host networking, so both listen on 127.0.0.1 ports chosen by ports.ts).
 *
 * Choices, and why:
 * - `tickTime` 200 ms by default: the server's minimum session timeout is 2 ticks, so tests can
 *   use sub-second session timeouts; `maxSessionTimeout` stays 60 s for tests that want more.
 *   initLimit/syncLimit are counted in ticks, so they are derived to stay ~10 s / ~5 s.
 * - `forceSync` keeps the server default (yes): the servers behave as in production, and a
 *   restart recovers from fsync'ed logs. Starting and restarting measured fast enough with it.
 * - Small heap, serial GC and C1 only (`TieredStopAtLevel=1`): a test server holds little data,
 *   and on a 2-core machine the JVM then starts in about half a second.
 */

export const SERVER_HOST = '127.0.0.1';

export const SERVER_JVM_OPTIONS: readonly string[] = [
  '-Xms32m',
  '-Xmx256m',
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  // No hsperfdata files in /tmp for every test JVM.
  '-XX:-UsePerfData',
  '-Djava.net.preferIPv4Stack=true',
];

export interface ServerPorts {
  client: number;
  quorum: number;
  election: number;
}

/** Assigns client, quorum and election ports to `count` servers from a list of free ports. */
export function assignPorts(count: number, free: readonly number[]): ServerPorts[] {
  return Array.from({ length: count }, (_, i) => ({
    client: free[3 * i]!,
    quorum: free[3 * i + 1]!,
    election: free[3 * i + 2]!,
  }));
}

/** zoo.cfg of server `index` of `all` (one entry: standalone; more: an ensemble). */
export function zooCfg(
  dataDir: string,
  index: number,
  all: readonly ServerPorts[],
  tickTimeMs: number,
): string {
  const lines = [
    `tickTime=${tickTimeMs}`,
    `initLimit=${Math.max(10, Math.ceil(10_000 / tickTimeMs))}`,
    `syncLimit=${Math.max(5, Math.ceil(5_000 / tickTimeMs))}`,
    'maxSessionTimeout=60000',
    `dataDir=${dataDir}`,
    `clientPort=${all[index]!.client}`,
    `clientPortAddress=${SERVER_HOST}`,
    'admin.enableServer=false',
    '4lw.commands.whitelist=*',
    'maxClientCnxns=0',
    // TTL nodes (createTTL) are refused with UNIMPLEMENTED unless extended types are on.
    'extendedTypesEnabled=true',
  ];
  if (all.length > 1) {
    for (const [i, p] of all.entries()) {
      lines.push(`server.${i + 1}=${SERVER_HOST}:${p.quorum}:${p.election}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The myid file of server `index` (ensembles only): ZooKeeper numbers servers from 1. */
export function myId(index: number): string {
  return `${index + 1}\n`;
}
