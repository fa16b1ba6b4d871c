/**
 * The connect string `host:port[,host:port...][/chroot]` (ConnectStringParser) and the order in
 * which the client tries the servers (StaticHostProvider): shuffled once, then round-robin, with
 * a pause after each full round of failures so that a client of a down ensemble does not spin.
 */
import { InvalidArgumentError } from '../../errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface ConnectString {
  hosts: HostPort[];
  /** The chroot without a trailing slash, or '' for none. */
  chroot: string;
}

const DEFAULT_PORT = 2181;

export function parseConnectString(connectString: string): ConnectString {
  const slash = connectString.indexOf('/');
  const hostPart = slash < 0 ? connectString : connectString.slice(0, slash);
  let chroot = slash < 0 ? '' : connectString.slice(slash);
  if (chroot === '/') chroot = '';
  if (chroot.endsWith('/') || chroot.includes('//')) {
    throw new InvalidArgumentError('connectString', `bad chroot ${JSON.stringify(chroot)}`);
  }
  const hosts = hostPart
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseHostPort);
  if (hosts.length === 0) throw new InvalidArgumentError('connectString', 'no servers');
  return { hosts, chroot };
}

function parseHostPort(s: string): HostPort {
  // [v6addr]:port, host:port, or host alone.
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(s) ?? /^([^:]+)(?::(\d+))?$/.exec(s);
  if (m === null)
    throw new InvalidArgumentError('connectString', `bad server ${JSON.stringify(s)}`);
  const port = m[2] === undefined ? DEFAULT_PORT : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('connectString', `bad port in ${JSON.stringify(s)}`);
  }
  return { host: m[1]!, port };
}

export function formatHostPort(h: HostPort): string {
  return h.host.includes(':') ? `[${h.host}]:${h.port}` : `${h.host}:${h.port}`;
}

const MIN_BACKOFF_MS = 50;
const MAX_BACKOFF_MS = 1000;

export class HostList {
  readonly #hosts: HostPort[];
  #next = 0;
  /** Attempts since the last successful connect. */
  #failures = 0;
  #backoffMs = MIN_BACKOFF_MS;

  constructor(hosts: readonly HostPort[], random: () => number = Math.random) {
    this.#hosts = [...hosts];
    for (let i = this.#hosts.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.#hosts[i], this.#hosts[j]] = [this.#hosts[j]!, this.#hosts[i]!];
    }
  }

  get size(): number {
    return this.#hosts.length;
  }

  /**
   * The next server to try and how long to wait first: nothing within a round, a jittered,
   * doubling pause (up to 1 s, StaticHostProvider's spin delay) once every server failed.
   */
  next(): { host: HostPort; delayMs: number } {
    const host = this.#hosts[this.#next]!;
    this.#next = (this.#next + 1) % this.#hosts.length;
    let delayMs = 0;
    if (this.#failures > 0 && this.#failures % this.#hosts.length === 0) {
      delayMs = this.#backoffMs / 2 + Math.random() * (this.#backoffMs / 2);
      this.#backoffMs = Math.min(MAX_BACKOFF_MS, this.#backoffMs * 2);
    }
    this.#failures++;
    return { host, delayMs };
  }

  /** A handshake succeeded: the next failure starts a fresh round. */
  connected(): void {
    this.#failures = 0;
    this.#backoffMs = MIN_BACKOFF_MS;
  }
}
