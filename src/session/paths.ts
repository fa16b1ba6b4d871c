/**
 * ZooKeeper path rules (org.apache.zookeeper.common.PathUtils), checked before any call so that
 * a bad path never reaches a transport, plus the namespace (chroot-like prefix) arithmetic.
 */
import { InvalidArgumentError } from './errors.js';

/**
 * Characters the server refuses in a path: NUL is fatal to the C client, and the others are the
 * ranges PathUtils rejects (control characters, surrogates and private use, specials).
 */
function invalidCharacter(path: string): string | undefined {
  for (const ch of path) {
    const c = ch.codePointAt(0) ?? 0;
    if (
      c === 0 ||
      (c > 0x00 && c <= 0x1f) ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
    }
  }
  return undefined;
}

/**
 * Throws InvalidArgumentError unless `path` is a valid absolute ZooKeeper path.
 * `sequential` allows a trailing `/` (the server appends the sequence number to it).
 */
export function validatePath(
  path: unknown,
  options: { sequential?: boolean; argument?: string } = {},
): asserts path is string {
  const argument = options.argument ?? 'path';
  if (typeof path !== 'string')
    throw new InvalidArgumentError(argument, `expected a string, got ${typeof path}`);
  if (path.length === 0) throw new InvalidArgumentError(argument, 'path is empty');
  if (path[0] !== '/')
    throw new InvalidArgumentError(argument, `"${path}" is not absolute (must start with /)`);
  if (path.length === 1) return;
  const body = options.sequential && path.endsWith('/') ? path.slice(0, -1) : path;
  if (body.endsWith('/')) throw new InvalidArgumentError(argument, `"${path}" ends with /`);
  const bad = invalidCharacter(body);
  if (bad !== undefined)
    throw new InvalidArgumentError(argument, `"${path}" contains the invalid character ${bad}`);
  for (const segment of body.slice(1).split('/')) {
    if (segment === '') throw new InvalidArgumentError(argument, `"${path}" has an empty segment`);
    if (segment === '.' || segment === '..') {
      throw new InvalidArgumentError(argument, `"${path}" has a relative segment "${segment}"`);
    }
  }
}

/** Normalizes a namespace option (`app`, `/app`, `a/b`) to `/app` form, or '' for none. */
export function normalizeNamespace(namespace: string | undefined): string {
  if (namespace === undefined || namespace === '' || namespace === '/') return '';
  const withSlash = namespace.startsWith('/') ? namespace : `/${namespace}`;
  validatePath(withSlash, { argument: 'namespace' });
  return withSlash;
}

/** The server-side path for a user path under `namespace`. */
export function toServerPath(namespace: string, path: string): string {
  if (namespace === '') return path;
  return path === '/' ? namespace : namespace + path;
}

/** The user path for a server-side path under `namespace` (the inverse of toServerPath). */
export function fromServerPath(namespace: string, serverPath: string): string {
  if (namespace === '') return serverPath;
  if (serverPath === namespace) return '/';
  return serverPath.startsWith(`${namespace}/`) ? serverPath.slice(namespace.length) : serverPath;
}

/** The parent of an absolute path (`/` for top-level nodes). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of an absolute path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `parent` + `/` + `child`, without a double slash under the root. */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
