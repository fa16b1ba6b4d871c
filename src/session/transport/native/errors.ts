/**
 * Result codes of the native binding, turned into the typed errors of `src/session/errors.ts`.
 *
 * The transport uses the binding's raw callback methods, which hand over the numeric C-client
 * code (`rc`) directly; so there is no message to parse (the binding's promise API would have
 * given `Error('-4 connection loss')` without a `code` property).
 */
import {
  ConnectionLossError,
  SessionClosedError,
  SessionExpiredError,
  zkError,
} from '../../errors.js';
import type { TransportState } from '../types.js';

/** C-client codes the transport reacts to. */
export const RC = {
  OK: 0,
  CONNECTIONLOSS: -4,
  /** ZINVALIDSTATE: returned synchronously by every method once the C handle is gone. */
  INVALIDSTATE: -9,
  NONODE: -101,
  SESSIONEXPIRED: -112,
  /** ZCLOSING: what `zookeeper_close()` gives every pending completion. */
  CLOSING: -116,
} as const;

/** `zoo_state()` of a connected handle (ZOO_CONNECTED_STATE). */
export const CONNECTED_STATE = 3;

/**
 * The error for a failed completion or a refused call. ZINVALIDSTATE is the C client saying
 * "not connected/closed" and never a server answer, so it is a connection loss for the caller.
 */
export function errorForCode(rc: number, path: string | undefined): Error {
  if (rc === RC.INVALIDSTATE) return new ConnectionLossError(path);
  return zkError(rc, path);
}

export type DeadState = Extract<TransportState, { kind: 'expired' | 'closed' }>;

/** The final transport state for the binding's `close` event code. */
export function stateForCloseCode(code: number): DeadState {
  if (code === RC.SESSIONEXPIRED) return { kind: 'expired' };
  if (code === RC.OK) return { kind: 'closed' };
  return { kind: 'closed', error: zkError(code) };
}

/** What every pending and later operation rejects with once the transport is dead. */
export function deadError(state: TransportState, path: string | undefined): Error {
  if (state.kind === 'expired') return new SessionExpiredError(path);
  return new SessionClosedError(
    'transport is closed',
    state.kind === 'closed' && state.error ? { cause: state.error } : undefined,
  );
}
