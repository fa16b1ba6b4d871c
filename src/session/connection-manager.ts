/**
 * The state machine of one logical session over a sequence of transports.
 *
 * A transport handle is dead once its session expired (reusing a native one crashes the
 * process), so a new session means a new transport and the next `generation`. This class owns
 * that sequence and turns transport states into the five session states of `states.ts`:
 *
 *   connecting --connected--> connected --disconnected--> suspended --connected--> connected
 *        ^                        |                           |        (emits reconnected)
 *        |                     expired                  expired | local timer (negotiated timeout)
 *        +-------- lost: new transport, generation + 1 <------+
 *   any --close()--> closed
 *
 * The local timer is there because a partitioned client never hears "expired" (HARD-CASES 4).
 * After a local-timer loss the old session may still live on a server we cannot reach, holding
 * ephemeral nodes that others see; once we are connected again we close it explicitly, so those
 * nodes go now rather than a session timeout later.
 */
import { EventEmitter } from 'eventemitter3';
import { ConnectionLossError, SessionClosedError, toError } from './errors.js';
import { backoffDelay, type RetryPolicy } from './retry.js';
import type { LostReason, SessionEvents, SessionStateEvent, SessionStateKind } from './states.js';
import type {
  SessionCredentials,
  Transport,
  TransportFactory,
  TransportOptions,
  TransportState,
} from './transport/types.js';

type Phase = 'connecting' | 'connected' | 'suspended' | 'closed';

export interface ConnectionManagerOptions {
  factory: TransportFactory;
  transportOptions: Omit<TransportOptions, 'session'>;
  auth: readonly { scheme: string; auth: Uint8Array }[];
  /** Backoff between transports that die before connecting. */
  retry: RetryPolicy;
}

export class ConnectionManager {
  readonly events = new EventEmitter<SessionEvents>();
  #options: ConnectionManagerOptions;
  #phase: Phase = 'connecting';
  #generation = 0;
  #transport: Transport | undefined;
  #unsubscribe: (() => void) | undefined;
  #credentials: SessionCredentials | undefined;
  #negotiatedTimeoutMs = 0;
  #lostTimer: NodeJS.Timeout | undefined;
  #reopenTimer: NodeJS.Timeout | undefined;
  /** Transports in a row that died before connecting: drives the reopen backoff. */
  #failedOpens = 0;
  #lastState: SessionStateKind | 'connecting' = 'connecting';

  constructor(options: ConnectionManagerOptions) {
    this.#options = options;
  }

  get generation(): number {
    return this.#generation;
  }
  get phase(): Phase {
    return this.#phase;
  }
  /** The last state reported to listeners (`connecting` before the first). */
  get lastState(): SessionStateKind | 'connecting' {
    return this.#lastState;
  }
  get credentials(): SessionCredentials | undefined {
    return this.#credentials;
  }
  get negotiatedTimeoutMs(): number {
    return this.#negotiatedTimeoutMs;
  }

  /** The live transport; operations issued on it while not connected fail fast with a connection loss. */
  transport(): Transport {
    if (this.#phase === 'closed') throw new SessionClosedError();
    // Between a transport that died before connecting and the next one (a backoff).
    if (this.#transport === undefined)
      throw new ConnectionLossError(undefined, { message: 'not connected' });
    return this.#transport;
  }

  /** Opens the first transport (generation 1). */
  start(): void {
    this.#generation = 1;
    this.#open();
  }

  /** Resolves once connected (or at once if connected); rejects on close or after `timeoutMs`. */
  whenConnected(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.#phase === 'connected') return Promise.resolve();
    if (this.#phase === 'closed') return Promise.reject(new SessionClosedError());
    return new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        clearTimeout(timer);
        this.events.off('state', onState);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const onState = (e: SessionStateEvent) => {
        if (e.state === 'connected' || e.state === 'reconnected') done();
        else if (e.state === 'closed') done(new SessionClosedError());
      };
      const onAbort = () =>
        done(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      const timer = setTimeout(
        () =>
          done(
            new ConnectionLossError(undefined, { message: `not connected within ${timeoutMs} ms` }),
          ),
        timeoutMs,
      );
      this.events.on('state', onState);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The pause before a retry: the jittered `backoffMs` while connected; while not connected, until
   * the connection is back (or the session is lost), at most one session timeout. Never rejects.
   */
  async pause(backoffMs: number): Promise<void> {
    if (this.#phase === 'connected' || this.#phase === 'closed') {
      await new Promise((r) => setTimeout(r, backoffMs));
      return;
    }
    const timeoutMs = this.#negotiatedTimeoutMs || this.#options.transportOptions.sessionTimeoutMs;
    await this.whenConnected(timeoutMs).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#phase === 'closed') return;
    const transport = this.#transport;
    const sessionId = this.#credentials?.sessionId ?? 0n;
    this.#phase = 'closed';
    this.#clearTimers();
    this.#unsubscribe?.();
    this.#transport = undefined;
    await transport?.close().catch(() => undefined);
    this.#emit({ state: 'closed', sessionId, generation: this.#generation });
  }

  #open(): void {
    this.#phase = 'connecting';
    this.#credentials = undefined;
    const transport = this.#options.factory({ ...this.#options.transportOptions });
    this.#transport = transport;
    this.#unsubscribe = transport.onState((state) => this.#onTransportState(transport, state));
  }

  #onTransportState(transport: Transport, state: TransportState): void {
    if (transport !== this.#transport || this.#phase === 'closed') return; // a replaced handle
    switch (state.kind) {
      case 'connecting':
        return;
      case 'connected':
        if (this.#phase === 'connecting') {
          this.#failedOpens = 0;
          this.#credentials = { sessionId: state.sessionId, password: state.password };
          this.#negotiatedTimeoutMs = state.negotiatedTimeoutMs;
          void this.#authenticate(transport).then(() => {
            if (transport !== this.#transport || this.#phase !== 'connecting') return;
            this.#phase = 'connected';
            this.#emit({
              state: 'connected',
              sessionId: state.sessionId,
              generation: this.#generation,
            });
          });
        } else if (this.#phase === 'suspended') {
          this.#clearTimers();
          this.#negotiatedTimeoutMs = state.negotiatedTimeoutMs;
          this.#phase = 'connected';
          this.#emit({
            state: 'reconnected',
            sessionId: state.sessionId,
            generation: this.#generation,
          });
        }
        return;
      case 'disconnected':
        if (this.#phase !== 'connected') return;
        this.#phase = 'suspended';
        this.#emit({
          state: 'suspended',
          sessionId: this.#credentials?.sessionId ?? 0n,
          generation: this.#generation,
        });
        this.#lostTimer = setTimeout(() => this.#lose('timeout'), this.#negotiatedTimeoutMs);
        return;
      case 'expired':
        this.#lose('expired');
        return;
      case 'closed':
        // The transport died on its own (protocol error, failed auth): same as losing the session.
        this.#lose('expired', state.error);
        return;
      default: {
        const never: never = state;
        throw new Error(`unknown transport state ${JSON.stringify(never)}`);
      }
    }
  }

  /** addAuth on a new transport before anyone uses it; a failure is reported, not fatal. */
  async #authenticate(transport: Transport): Promise<void> {
    for (const { scheme, auth } of this.#options.auth) {
      try {
        await transport.addAuth(scheme, auth);
      } catch (err) {
        this.#reportError(toError(err));
      }
    }
  }

  #lose(reason: LostReason, error?: Error): void {
    if (this.#phase === 'closed') return;
    this.#clearTimers();
    const old = this.#transport;
    const oldCredentials = this.#credentials;
    this.#unsubscribe?.();
    this.#transport = undefined;
    void old?.close().catch(() => undefined);
    if (error) this.#reportError(error);
    if (this.#phase === 'connecting') {
      // Never connected on this generation: nothing was lost, try another transport after a backoff.
      this.#failedOpens += 1;
      this.#reopenTimer = setTimeout(
        () => this.#open(),
        backoffDelay(this.#options.retry, Math.min(this.#failedOpens, 10)),
      );
      return;
    }
    this.#emit({
      state: 'lost',
      sessionId: oldCredentials?.sessionId ?? 0n,
      generation: this.#generation,
      reason,
    });
    if (reason === 'timeout' && oldCredentials) this.#closeOrphan(oldCredentials);
    this.#generation += 1;
    this.#open();
  }

  /**
   * Closes a session we declared lost by our own timer, once a server answers again: attach with
   * its id and password and close it. If it already expired, the server says so and we are done.
   */
  #closeOrphan(credentials: SessionCredentials): void {
    const onState = (e: SessionStateEvent) => {
      if (e.state !== 'connected' && e.state !== 'closed') return;
      this.events.off('state', onState);
      if (e.state === 'closed') return;
      const orphan = this.#options.factory({
        ...this.#options.transportOptions,
        session: credentials,
      });
      const giveUp = setTimeout(
        () => void orphan.close().catch(() => undefined),
        this.#negotiatedTimeoutMs * 2,
      );
      orphan.onState((s) => {
        if (s.kind === 'connected') void orphan.close().catch(() => undefined);
        if (s.kind === 'expired' || s.kind === 'closed') clearTimeout(giveUp);
      });
    };
    this.events.on('state', onState);
  }

  #clearTimers(): void {
    clearTimeout(this.#lostTimer);
    clearTimeout(this.#reopenTimer);
    this.#lostTimer = undefined;
    this.#reopenTimer = undefined;
  }

  #emit(event: SessionStateEvent): void {
    this.#lastState = event.state;
    // A throwing user listener must not break the state machine (eventemitter3 rethrows).
    try {
      this.events.emit('state', event);
      this.events.emit(event.state, event);
    } catch (err) {
      this.#reportError(toError(err));
    }
  }

  #reportError(error: Error): void {
    if (this.events.listenerCount('error') === 0) return;
    try {
      this.events.emit('error', error);
    } catch {
      // An error listener that throws has nowhere left to report to.
    }
  }
}
