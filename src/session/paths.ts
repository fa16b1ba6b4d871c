/**
 * ZooKeeper path rules (org.apache.zookeeper.common.PathUtils), checked before any call so that
 * a bad path never reaches a transport, plus the namespace (chroot-like prefix) arithmetic.
 */
import { InvalidArgumentError } from './errors.js';

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * Characters the server refuses in a path, judged per UTF-16 unit as PathUtils does: NUL (fatal
 * to the C client), control characters, surrogates and private use, specials. So every character
 * outside the Basic Multilingual Plane (an emoji) is refused too: the server answers it with
 * BADARGUMENTS.
 */
function invalidCharacter(path: string, end: number): string | undefined {
  for (let i = 0; i < end; i++) {
    const c = path.charCodeAt(i);
    if (
      c <= 0x1f ||
      (c >= 0x7f && c <= 0x9f) ||
      (c >= 0xd800 && c <= 0xf8ff) ||
      (c >= 0xfff0 && c <= 0xffff)
    ) {
      const point = path.codePointAt(i) ?? c;
      const name = `U+${point.toString(16).toUpperCase().padStart(4, '0')}`;
      return point > 0xffff ? `${name} (outside the Basic Multilingual Plane)` : name;
    }
  }
  return undefined;
}

/**
 * Throws InvalidArgumentError unless `path` is a valid absolute ZooKeeper path.
 * `sequential` allows a trailing `/` (the server appends the sequence number to it).
 * Every call of Session checks its paths: one pass over the characters, no allocation.
 */
export function validatePath(
  path: unknown,
  options?: { sequential?: boolean; argument?: string },
): asserts path is string {
  const argument = options?.argument ?? 'path';
  if (typeof path !== 'string')
    throw new InvalidArgumentError(argument, `expected a string, got ${typeof path}`);
  if (path.length === 0) throw new InvalidArgumentError(argument, 'path is empty');
  if (path.charCodeAt(0) !== SLASH)
    throw new InvalidArgumentError(argument, `"${path}" is not absolute (must start with /)`);
  if (path.length === 1) return;
  const end = options?.sequential && path.endsWith('/') ? path.length - 1 : path.length;
  if (path.charCodeAt(end - 1) === SLASH)
    throw new InvalidArgumentError(argument, `"${path}" ends with /`);
  const bad = invalidCharacter(path, end);
  if (bad !== undefined)
    throw new InvalidArgumentError(argument, `"${path}" contains the invalid character ${bad}`);
  // Segments between slashes: none empty, none `.` or `..`.
  let from = 1;
  for (let i = 1; i <= end; i++) {
    if (i < end && path.charCodeAt(i) !== SLASH) continue;
    const length = i - from;
    if (length === 0) throw new InvalidArgumentError(argument, `"${path}" has an empty segment`);
    if (
      (length === 1 && path.charCodeAt(from) === DOT) ||
      (length === 2 && path.charCodeAt(from) === DOT && path.charCodeAt(from + 1) === DOT)
    ) {
      const segment = path.slice(from, i);
      throw new InvalidArgumentError(argument, `"${path}" has a relative segment "${segment}"`);
    }
    from = i + 1;
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
