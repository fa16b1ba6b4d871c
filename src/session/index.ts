export * from './errors.js';
export { MultiError, type SessionMultiOp } from './multi.js';
export { joinPath, nameOf, parentOf, validatePath } from './paths.js';
export { isProtectedName, protectedPrefix, unprotectedName } from './protected-create.js';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
export {
  type CreateCallOptions,
  Session,
  type SessionOptions,
  type WatchOption,
} from './session.js';
export type {
  LostReason,
  SessionEvents,
  SessionStateEvent,
  SessionStateKind,
  WatchMessage,
  WatchSink,
} from './states.js';
export type { TransportChoice } from './transport/index.js';
export * from './transport/types.js';
