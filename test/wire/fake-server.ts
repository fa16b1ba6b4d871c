/**
 * A scripted stand-in for a ZooKeeper server, for what a real one will not do on demand: stay
 * silent, send garbage, or refuse an operation. It accepts connections, parses the client's
 * frames (ConnectRequest first, then RequestHeader + body) and lets the test answer.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface ClientFrame {
  xid: number;
  type: number;
  body: Buffer;
}

export interface FakeConnection {
  socket: net.Socket;
  /** The ConnectRequest fields the client sent. */
  connect: { lastZxidSeen: bigint; timeoutMs: number; sessionId: bigint };
  frames: ClientFrame[];
  /** Answers the handshake with a ConnectResponse (timeout <= 0 means "expired"). */
  accept(timeoutMs: number, sessionId?: bigint): void;
  /** Sends a reply: ReplyHeader {xid, zxid, err} and `body`. */
  reply(xid: number, err: number, body?: Buffer, zxid?: bigint): void;
}

export interface FakeServer {
  connectString: string;
  /** Resolves with the next connection whose ConnectRequest has arrived. */
  nextConnection(): Promise<FakeConnection>;
  /** Called for each request frame after the handshake. */
  onFrame: ((conn: FakeConnection, frame: ClientFrame) => void) | undefined;
  close(): Promise<void>;
}

function frame(body: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeInt32BE(body.length, 0);
  return Buffer.concat([len, body]);
}

/** Starts a plain TCP fake server, or a TLS one with `tlsOptions` (key and cert). */
export async function startFakeServer(tlsOptions?: tls.TlsOptions): Promise<FakeServer> {
  const waiting: Array<(c: FakeConnection) => void> = [];
  const ready: FakeConnection[] = [];
  const sockets = new Set<net.Socket>();
  const fake: FakeServer = {
    connectString: '',
    onFrame: undefined,
    nextConnection: () =>
      new Promise((resolve) => {
        const c = ready.shift();
        if (c !== undefined) resolve(c);
        else waiting.push(resolve);
      }),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buffered = Buffer.alloc(0);
    let conn: FakeConnection | undefined;
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
        const body = buffered.subarray(4, 4 + buffered.readInt32BE(0));
        buffered = buffered.subarray(4 + body.length);
        if (conn === undefined) {
          conn = {
            socket,
            connect: {
              lastZxidSeen: body.readBigInt64BE(4),
              timeoutMs: body.readInt32BE(12),
              sessionId: body.readBigInt64BE(16),
            },
            frames: [],
            accept(timeoutMs, sessionId = 0x1234n) {
              const b = Buffer.alloc(4 + 4 + 8 + 4 + 16 + 1);
              b.writeInt32BE(timeoutMs, 4);
              b.writeBigInt64BE(sessionId, 8);
              b.writeInt32BE(16, 16);
              socket.write(frame(b));
            },
            reply(xid, err, replyBody = Buffer.alloc(0), zxid = 1n) {
              const h = Buffer.alloc(16);
              h.writeInt32BE(xid, 0);
              h.writeBigInt64BE(zxid, 4);
              h.writeInt32BE(err, 12);
              socket.write(frame(Buffer.concat([h, replyBody])));
            },
          };
          const waiter = waiting.shift();
          if (waiter !== undefined) waiter(conn);
          else ready.push(conn);
        } else {
          const f = {
            xid: body.readInt32BE(0),
            type: body.readInt32BE(4),
            body: Buffer.from(body.subarray(8)),
          };
          conn.frames.push(f);
          fake.onFrame?.(conn, f);
        }
      }
    });
  };
  const server =
    tlsOptions === undefined ? net.createServer(onSocket) : tls.createServer(tlsOptions, onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.connectString = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return fake;
}
