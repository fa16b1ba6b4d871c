/**
 * The chroot of a connect string (`host:port/app`): every path the client sends gets the prefix,
 * and every path the server returns (created paths, watch events, getEphemerals) loses it, as
 * ZooKeeper's ClientCnxn does with its chrootPath.
 */
export class Chroot {
  /** The prefix without a trailing slash, or '' for none. */
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** A client path as the server knows it. */
  readonly toServer = (path: string): string => {
    if (this.prefix === '') return path;
    return path === '/' ? this.prefix : this.prefix + path;
  };

  /** A server path as the client knows it; paths outside the chroot are left alone. */
  readonly toClient = (path: string): string => {
    const prefix = this.prefix;
    if (prefix === '' || !path.startsWith(prefix)) return path;
    if (path.length === prefix.length) return '/';
    return path.charCodeAt(prefix.length) === 0x2f ? path.slice(prefix.length) : path;
  };
}
