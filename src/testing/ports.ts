/** Free loopback ports for servers the harness starts. */

import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';
import { ZooKeeperStartError } from './errors.js';

/*
 * Ports come from below the kernel's ephemeral range (32768+ on Linux): an ephemeral port we
 * probed and released could be taken by any outgoing connection before the JVM binds it, and a
 * restarted server must get its old port back. Random picks keep parallel test workers apart;
 * the probe catches ports already in use. A remaining race (two workers probing the same port at
 * once) is caught by `retryOnPortClash`, which starts again with new ports.
 */
const LOW = 20_000;
const HIGH = 32_000;

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port, exclusive: true }, () =>
      server.close(() => resolve(true)),
    );
  });
}

/** Returns `count` distinct ports that were free on 127.0.0.1 a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    const port = randomInt(LOW, HIGH);
    if (!ports.has(port) && (await canBind(port))) ports.add(port);
  }
  return [...ports];
}

/** Attempts at starting a new cluster when a port was taken between probe and bind. */
const PORT_CLASH_ATTEMPTS = 3;

/** Runs `start` (which picks its own ports) again when a server failed because a port was taken. */
export async function retryOnPortClash<T>(start: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await start();
    } catch (err) {
      const clash =
        err instanceof ZooKeeperStartError && err.logTail.includes('Address already in use');
      if (!clash || attempt >= PORT_CLASH_ATTEMPTS) throw err;
    }
  }
}
