/**
 * One TCP (or TLS) connection to one server, as ClientCnxn's SendThread runs it: the
 * ConnectRequest handshake, pipelined requests answered in order (each reply's xid must match the
 * oldest request in flight), replies with reserved xids (notifications, pings, auth, SetWatches),
 * pings when idle for a third of the negotiated timeout, and a read timeout of two thirds of it:
 * a server that sent nothing for that long is presumed gone and the connection is dropped.
 *
 * Requests are encoded straight into the connection's `JuteWriter` and flushed once per
 * microtask turn, so a burst of calls costs one socket write. A Connection never reconnects; the
 * transport makes a new one.
 */
import net from 'node:net';
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import tls from 'node:tls';
import {
  ConnectionLossError,
  ProtocolError,
  SessionClosedError,
  SessionExpiredError,
} from '../../errors.js';
import type { Watcher } from '../types.js';
import { FrameDecoder } from './frames.js';
import type { HostPort } from './host-list.js';
import { JuteReader, JuteWriter } from './jute.js';
import { OpCode, Xid } from './opcodes.js';
import {
  type ConnectRequest,
  type ConnectResponse,
  REQUEST_HEADER_BYTES,
  readConnectResponse,
  readWatcherEvent,
  type WatcherEventRecord,
  writeConnectRequest,
  writeRequestHeader,
} from './records.js';

/** Decodes a reply body (err is the ReplyHeader code); throws a ZkError for a failed request. */
export type Decoder<T> = (r: JuteReader, err: number, req: PendingRequest<T>) => T;

/** A request in flight. */
export class PendingRequest<T> {
  constructor(
    readonly xid: number,
    /** The client path (before chroot), for errors and watch registration. */
    readonly path: string | undefined,
    readonly watcher: Watcher | undefined,
    readonly decode: Decoder<T>,
    readonly resolve: (value: T) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

const noBody = (): void => {};

export interface ConnectionHandlers {
  /** The server accepted (or refused, timeout <= 0) the session. Called synchronously. */
  onHandshake(response: ConnectResponse): void;
  onNotification(event: WatcherEventRecord): void;
  /** The reply to an AuthPacket (xid -4): 0 or AUTHFAILED. */
  onAuthReply(err: number): void;
  /** The connection ended; `established` says whether the handshake had completed. */
  onClose(error: Error, established: boolean): void;
}

export interface ConnectionOptions {
  host: HostPort;
  tls: TlsOptions | undefined;
  connectTimeoutMs: number;
  maxFrameBytes: number;
  /** Shared with the transport: the zxid of the last reply, kept across connections. */
  zxid: { last: bigint };
}

export class Connection {
  readonly #options: ConnectionOptions;
  readonly #handlers: ConnectionHandlers;
  readonly #socket: net.Socket;
  readonly #writer = new JuteWriter();
  readonly #reader = new JuteReader();
  readonly #decoder: FrameDecoder;
  /** Requests in flight, oldest at #head. */
  #pending: Array<PendingRequest<unknown> | undefined> = [];
  #head = 0;
  #xid = 0;
  #flushScheduled = false;
  #established = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #pingIntervalMs = 0;
  #readTimeoutMs = 0;
  #lastSend = 0;
  #lastRecv = 0;

  constructor(options: ConnectionOptions, handlers: ConnectionHandlers) {
    this.#options = options;
    this.#handlers = handlers;
    this.#decoder = new FrameDecoder(options.maxFrameBytes, this.#onFrame);
    const { host, port } = options.host;
    this.#socket =
      options.tls === undefined
        ? net.connect({ host, port })
        : tls.connect({
            ...options.tls,
            host,
            port,
            // SNI takes host names only (RFC 6066); certificate checks still use `host`.
            servername: options.tls.servername ?? (net.isIP(host) === 0 ? host : undefined),
          });
    this.#socket.setNoDelay(true);
    this.#socket.on('data', this.#onData);
    this.#socket.on('error', (error) =>
      this.destroy(
        new ConnectionLossError(undefined, {
          cause: error,
          message: `connection error: ${error.message}`,
        }),
      ),
    );
    // On 'end' (the server's FIN), not only on 'close', which comes a loop phase later: by then
    // this event loop may already have handled what other connections heard after this one was
    // cut (a session expired on the server: its holder must hear first, HARD-CASES 5).
    const closedByServer = () =>
      this.destroy(new ConnectionLossError(undefined, { message: 'connection closed by server' }));
    this.#socket.on('end', closedByServer);
    this.#socket.on('close', closedByServer);
    this.#timer = setTimeout(
      () =>
        this.destroy(
          new ConnectionLossError(undefined, {
            message: `connect timeout (${options.connectTimeoutMs} ms)`,
          }),
        ),
      options.connectTimeoutMs,
    );
    this.#timer.unref();
  }

  /** Queues the ConnectRequest: it must be the first frame, before any request(). */
  sendConnect(request: ConnectRequest): void {
    writeConnectRequest(this.#writer, request);
    this.#scheduleFlush();
  }

  /**
   * Sends a request: a RequestHeader and the body `encode` writes (at most `bound` bytes), and
   * resolves with `decode` of its reply. If encoding throws, the partial frame is dropped.
   */
  request<T>(
    type: number,
    bound: number,
    encode: (w: JuteWriter) => void,
    path: string | undefined,
    watcher: Watcher | undefined,
    decode: Decoder<T>,
  ): Promise<T> {
    const xid = this.#nextXid();
    this.#frame(type, xid, bound, encode);
    return new Promise<T>((resolve, reject) => {
      this.#pending.push(
        new PendingRequest(xid, path, watcher, decode, resolve, reject) as PendingRequest<unknown>,
      );
    });
  }

  /** Sends a request with a reserved xid (auth, SetWatches, ping): its reply is not matched. */
  sendSpecial(type: number, xid: number, bound: number, encode: (w: JuteWriter) => void): void {
    this.#frame(type, xid, bound, encode);
  }

  #frame(type: number, xid: number, bound: number, encode: (w: JuteWriter) => void): void {
    const w = this.#writer;
    w.begin(REQUEST_HEADER_BYTES + bound);
    try {
      writeRequestHeader(w, xid, type);
      encode(w);
      w.end();
    } catch (error) {
      w.abort();
      throw error;
    }
    this.#scheduleFlush();
  }

  /**
   * Closes the socket and fails every request in flight: with `error` itself if the session
   * expired or was closed, with a ConnectionLossError caused by it otherwise. Idempotent.
   */
  destroy(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#socket.destroy();
    // The session's end is final for requests too; any other cause is a connection loss.
    const final = error instanceof SessionExpiredError || error instanceof SessionClosedError;
    const pending = this.#pending;
    const head = this.#head;
    this.#pending = [];
    this.#head = 0;
    for (let i = head; i < pending.length; i++) {
      const p = pending[i]!;
      p.reject(final ? error : new ConnectionLossError(p.path, { cause: error }));
    }
    this.#handlers.onClose(error, this.#established);
  }

  #nextXid(): number {
    // xids are positive int32s; wrap before overflowing into the reserved negative range.
    this.#xid = this.#xid === 0x7fffffff ? 1 : this.#xid + 1;
    return this.#xid;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(this.#flush);
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    if (this.#closed) return;
    for (const chunk of this.#writer.take()) this.#socket.write(chunk);
    this.#lastSend = Date.now();
  };

  readonly #onData = (chunk: Buffer): void => {
    if (this.#closed) return;
    this.#lastRecv = Date.now();
    try {
      this.#decoder.push(chunk);
    } catch (error) {
      this.destroy(
        error instanceof ProtocolError
          ? error
          : new ProtocolError('failed to process a frame', { cause: error }),
      );
    }
  };

  readonly #onFrame = (buf: Buffer, start: number, end: number): void => {
    if (this.#closed) return;
    const r = this.#reader.reset(buf, start, end);
    if (!this.#established) {
      this.#established = true;
      const response = readConnectResponse(r);
      clearTimeout(this.#timer);
      this.#handlers.onHandshake(response);
      if (!this.#closed) this.#startTimers(response.timeoutMs);
      return;
    }
    // ReplyHeader {int xid; long zxid; int err}
    const xid = r.int();
    const zxid = r.long();
    const err = r.int();
    if (xid < 0) {
      if (xid === Xid.notification) this.#handlers.onNotification(readWatcherEvent(r));
      else if (xid === Xid.auth) this.#handlers.onAuthReply(err);
      // Ping and SetWatches replies carry nothing the client needs.
      return;
    }
    const p = this.#pending[this.#head];
    if (p === undefined || p.xid !== xid) {
      throw new ProtocolError(
        `reply xid ${xid} does not match the oldest request (${p?.xid ?? 'none'})`,
      );
    }
    this.#pending[this.#head++] = undefined;
    if (this.#head === this.#pending.length) {
      this.#pending.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#pending.length) {
      this.#pending = this.#pending.slice(this.#head);
      this.#head = 0;
    }
    if (zxid > 0n) this.#options.zxid.last = zxid;
    let value: unknown;
    try {
      value = p.decode(r, err, p);
    } catch (error) {
      if (error instanceof ProtocolError) {
        p.reject(new ConnectionLossError(p.path, { cause: error }));
        throw error;
      }
      p.reject(error as Error);
      return;
    }
    p.resolve(value);
  };

  /** ClientCnxn: readTimeout = 2/3 of the session timeout, ping after readTimeout/2 idle. */
  #startTimers(negotiatedTimeoutMs: number): void {
    this.#readTimeoutMs = Math.max(1, Math.floor((negotiatedTimeoutMs * 2) / 3));
    this.#pingIntervalMs = Math.max(1, Math.floor(this.#readTimeoutMs / 2));
    this.#lastRecv = Date.now();
    this.#lastSend = Math.max(this.#lastSend, this.#lastRecv - 1);
    this.#armTimer();
  }

  #armTimer(): void {
    const now = Date.now();
    const due = Math.min(
      this.#lastSend + this.#pingIntervalMs,
      this.#lastRecv + this.#readTimeoutMs,
    );
    this.#timer = setTimeout(this.#onTimer, Math.max(1, due - now));
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    if (this.#closed) return;
    const now = Date.now();
    if (now - this.#lastRecv >= this.#readTimeoutMs) {
      this.destroy(
        new ConnectionLossError(undefined, {
          message: `no reply from server for ${now - this.#lastRecv} ms`,
        }),
      );
      return;
    }
    if (now - this.#lastSend >= this.#pingIntervalMs) {
      this.sendSpecial(OpCode.ping, Xid.ping, 0, noBody);
      this.#lastSend = now;
    }
    this.#armTimer();
  };
}
