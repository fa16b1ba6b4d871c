/**
 * Small helpers for the transport contract and failover suites: opening transports that are
 * closed after each test, waiting for states, and recording watch events.
 */
import type {
  CreateOptions,
  Transport,
  TransportFactory,
  TransportOptions,
  TransportState,
  WatchEvent,
  Watcher,
} from '../../src/session/transport/types.js';
import { OPEN_ACL_UNSAFE } from '../../src/session/transport/types.js';

/** Short enough to keep files fast, and above the harness's minimum (2 ticks of 200 ms). */
export const SESSION_TIMEOUT_MS = 4_000;

export const PERSISTENT: CreateOptions = { mode: 'persistent', acl: OPEN_ACL_UNSAFE };
export const EPHEMERAL: CreateOptions = { mode: 'ephemeral', acl: OPEN_ACL_UNSAFE };

export type StateKind = TransportState['kind'];

export function isDead(state: TransportState): boolean {
  return state.kind === 'expired' || state.kind === 'closed';
}

/**
 * Resolves with the first state of `kind` the transport is in or reaches within `timeoutMs`;
 * rejects at once if the transport dies (expired/closed) while waiting for another state.
 */
export function waitForState<K extends StateKind>(
  transport: Transport,
  kind: K,
  timeoutMs = 15_000,
): Promise<Extract<TransportState, { kind: K }>> {
  type S = Extract<TransportState, { kind: K }>;
  if (transport.state.kind === kind) return Promise.resolve(transport.state as S);
  if (isDead(transport.state)) {
    return Promise.reject(new Error(`the transport is '${transport.state.kind}', not '${kind}'`));
  }
  return new Promise<S>((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(
        new Error(`no '${kind}' state within ${timeoutMs} ms (state: ${transport.state.kind})`),
      );
    }, timeoutMs);
    const off = transport.onState((state) => {
      if (state.kind !== kind && !isDead(state)) return;
      clearTimeout(timer);
      off();
      if (state.kind === kind) resolve(state as S);
      else
        reject(
          new Error(`the transport became '${state.kind}' while waiting for '${kind}'`, {
            cause: state,
          }),
        );
    });
  });
}

/** Opens transports and closes every one of them in `closeAll` (call it in afterEach). */
export class TransportPool {
  readonly #open: Transport[] = [];
  constructor(readonly factory: TransportFactory) {}

  open(options: TransportOptions): Transport {
    const transport = this.factory(options);
    this.#open.push(transport);
    return transport;
  }

  /** Opens a transport and waits until it is connected. */
  async connect(
    connectString: string,
    extra: Partial<TransportOptions> = {},
  ): Promise<{ transport: Transport; state: Extract<TransportState, { kind: 'connected' }> }> {
    const transport = this.open({ connectString, sessionTimeoutMs: SESSION_TIMEOUT_MS, ...extra });
    const state = await waitForState(transport, 'connected');
    return { transport, state };
  }

  async closeAll(): Promise<void> {
    const open = this.#open.splice(0);
    await Promise.all(open.map((t) => t.close()));
  }
}

/** Records the watch events a watcher gets. */
export class WatchRecorder {
  readonly events: WatchEvent[] = [];
  readonly #waiters: Array<() => void> = [];
  readonly watcher: Watcher = (event) => {
    this.events.push(event);
    for (const wake of this.#waiters.splice(0)) wake();
  };

  /** Resolves once `count` events have arrived. */
  async waitFor(count = 1, timeoutMs = 15_000): Promise<WatchEvent[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < count) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `expected ${count} watch events within ${timeoutMs} ms, got ${JSON.stringify(this.events)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.events;
  }
}

export { eventually, sleep } from '../support/wait.js';

let counter = 0;
/** A fresh top-level path per test, so tests never see each other's nodes. */
export function uniquePath(label: string): string {
  counter += 1;
  return `/contract-${process.pid}-${counter}-${label}`;
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
