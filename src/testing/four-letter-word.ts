/**
 * ZooKeeper's four-letter words over a plain TCP connection: the server answers and closes.
 * The harness enables them all (`4lw.commands.whitelist=*`).
 */
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FourLetterWordError } from './errors.js';

/** Sends `word` to `host:port` and resolves the whole answer (the server closes after it). */
export function fourLetterWord(
  host: string,
  port: number,
  word: string,
  timeoutMs = 3000,
): Promise<string> {
  const hostPort = `${host}:${port}`;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy(new FourLetterWordError(word, hostPort, `no answer within ${timeoutMs} ms`));
    });
    socket.on('connect', () => socket.end(word));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (err) =>
      reject(
        err instanceof FourLetterWordError
          ? err
          : new FourLetterWordError(word, hostPort, err.message, { cause: err }),
      ),
    );
    socket.on('close', (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** The `Mode:` line of a `srvr` answer (`standalone`, `leader`, `follower`, `observer`), if any. */
export function parseMode(srvr: string): string | undefined {
  return /^Mode: (\w+)/m.exec(srvr)?.[1];
}

export interface WaitUntilServingOptions {
  timeoutMs: number;
  /** Called between polls; a string means the server can never come up (e.g. its process exited). */
  failure?: () => string | undefined | Promise<string | undefined>;
}

/**
 * Polls `srvr` until the server reports a mode. `ruok` alone is not enough: it answers `imok` as
 * soon as the port listens, while an ensemble member still answers "not currently serving
 * requests" until it has joined a quorum. Resolves the mode; rejects with the reason otherwise.
 */
export async function waitUntilServing(
  host: string,
  port: number,
  options: WaitUntilServingOptions,
): Promise<string> {
  const deadline = Date.now() + options.timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    const failure = await options.failure?.();
    if (failure !== undefined) throw new Error(failure);
    try {
      const mode = parseMode(await fourLetterWord(host, port, 'srvr', 1000));
      if (mode !== undefined) return mode;
      last = 'srvr answered without a mode (not serving yet)';
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() >= deadline)
      throw new Error(`not serving after ${options.timeoutMs} ms (${last})`);
    await sleep(100);
  }
}
