/**
 * The error taxonomy of zookeeper-recipes.
 *
 * Every failure that reaches a user is one of these classes, each with a `name`, an optional
 * `cause`, and structured fields. `ZkError` carries a ZooKeeper result code by name
 * (`NONODE`, `CONNECTIONLOSS`, ...) and the path the operation was about. `isRetryable()` says
 * whether an operation that failed with an error may be sent again as it is.
 */

/** ZooKeeper result codes (org.apache.zookeeper.KeeperException.Code), by name. */
export const ZK_ERROR_CODES = {
  SYSTEMERROR: -1,
  RUNTIMEINCONSISTENCY: -2,
  DATAINCONSISTENCY: -3,
  CONNECTIONLOSS: -4,
  MARSHALLINGERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATIONTIMEOUT: -7,
  BADARGUMENTS: -8,
  UNKNOWNSESSION: -12,
  NEWCONFIGNOQUORUM: -13,
  RECONFIGINPROGRESS: -14,
  APIERROR: -100,
  NONODE: -101,
  NOAUTH: -102,
  BADVERSION: -103,
  NOCHILDRENFOREPHEMERALS: -108,
  NODEEXISTS: -110,
  NOTEMPTY: -111,
  SESSIONEXPIRED: -112,
  INVALIDCALLBACK: -113,
  INVALIDACL: -114,
  AUTHFAILED: -115,
  CLOSING: -116,
  NOTHING: -117,
  SESSIONMOVED: -118,
  NOTREADONLY: -119,
  EPHEMERALONLOCALSESSION: -120,
  NOWATCHER: -121,
  REQUESTTIMEOUT: -122,
  RECONFIGDISABLED: -123,
  SESSIONCLOSEDREQUIRESASLAUTH: -124,
  QUOTAEXCEEDED: -125,
  THROTTLEDOP: -127,
} as const;

export type ZkErrorCode = keyof typeof ZK_ERROR_CODES | 'UNKNOWN';

const CODE_NAMES = new Map<number, ZkErrorCode>(
  Object.entries(ZK_ERROR_CODES).map(([name, code]) => [code, name as ZkErrorCode]),
);

/** The name of a numeric ZooKeeper result code; `UNKNOWN` for a code we do not know. */
export function codeName(code: number): ZkErrorCode {
  return CODE_NAMES.get(code) ?? 'UNKNOWN';
}

/** A ZooKeeper operation failed with a result code. */
export class ZkError extends Error {
  override name = 'ZkError';
  /** The code by name, e.g. `NONODE`. */
  readonly code: ZkErrorCode;
  /** The numeric code the server or client returned. */
  readonly rawCode: number;
  /** The path of the operation, as the caller gave it (before any namespace), if any. */
  readonly path: string | undefined;

  constructor(
    code: ZkErrorCode | number,
    path?: string,
    options?: ErrorOptions & { message?: string },
  ) {
    const name = typeof code === 'number' ? codeName(code) : code;
    const raw = typeof code === 'number' ? code : name === 'UNKNOWN' ? 0 : ZK_ERROR_CODES[name];
    super(options?.message ?? `${name}${path === undefined ? '' : ` for ${path}`}`, options);
    this.code = name;
    this.rawCode = raw;
    this.path = path;
  }
}

/** The connection to the server was lost while the operation was in flight: it may or may not have been applied. */
export class ConnectionLossError extends ZkError {
  override name = 'ConnectionLossError';
  constructor(path?: string, options?: ErrorOptions & { message?: string }) {
    super('CONNECTIONLOSS', path, options);
  }
}

/** The session expired: every ephemeral node and watch of it is gone. */
export class SessionExpiredError extends ZkError {
  override name = 'SessionExpiredError';
  constructor(path?: string, options?: ErrorOptions & { message?: string }) {
    super('SESSIONEXPIRED', path, options);
  }
}

/** Builds the most specific error class for a numeric or named code. */
export function zkError(
  code: ZkErrorCode | number,
  path?: string,
  options?: ErrorOptions & { message?: string },
): ZkError {
  const name = typeof code === 'number' ? codeName(code) : code;
  if (name === 'CONNECTIONLOSS') return new ConnectionLossError(path, options);
  if (name === 'SESSIONEXPIRED') return new SessionExpiredError(path, options);
  return new ZkError(code, path, options);
}

/** The caller passed a value that can never work (bad path, oversized data, bad flag). Never retried. */
export class InvalidArgumentError extends Error {
  override name = 'InvalidArgumentError';
  /** The name of the argument that was wrong, e.g. `path`, `data`, `mode`. */
  readonly argument: string;
  constructor(argument: string, message: string, options?: ErrorOptions) {
    super(`invalid ${argument}: ${message}`, options);
    this.argument = argument;
  }
}

/** The session (or transport) was closed by its owner; no further calls are possible. */
export class SessionClosedError extends Error {
  override name = 'SessionClosedError';
  constructor(message = 'session is closed', options?: ErrorOptions) {
    super(message, options);
  }
}

/** A call was sent to a recipe after `close()`. */
export class RecipeClosedError extends Error {
  override name = 'RecipeClosedError';
  constructor(recipe: string, options?: ErrorOptions) {
    super(`${recipe} is closed`, options);
  }
}

/** The caller does not own what it tried to release or act on. */
export class NotOwnerError extends Error {
  override name = 'NotOwnerError';
}

/** A wire frame could not be decoded (corrupt, truncated, or over the size limit). */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** A broken internal invariant: a bug in zookeeper-recipes. Please report it. */
export class InvariantError extends Error {
  override name = 'InvariantError';
}

/** A state-machine transition that the recipe's table does not declare. */
export class IllegalTransitionError extends InvariantError {
  override name = 'IllegalTransitionError';
  readonly from: string;
  readonly to: string;
  constructor(from: string, to: string) {
    super(`illegal transition ${from} -> ${to}`);
    this.from = from;
    this.to = to;
  }
}

/** True when an operation that failed with `err` may be sent again unchanged (if it is idempotent). */
export function isRetryable(err: unknown): boolean {
  if (!(err instanceof ZkError)) return false;
  return (
    err.code === 'CONNECTIONLOSS' ||
    err.code === 'OPERATIONTIMEOUT' ||
    err.code === 'SESSIONMOVED' ||
    err.code === 'THROTTLEDOP' ||
    err.code === 'REQUESTTIMEOUT'
  );
}

/** `err` if it is an Error, else an Error whose message is its text (for `catch (err: unknown)`). */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
