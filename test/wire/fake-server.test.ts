/**
 * Connection behaviour against a scripted server: pings at a third of the negotiated timeout,
 * a read timeout at two thirds, expiry from the handshake, UNIMPLEMENTED replies, and garbage
 * after the handshake, which may only ever close the connection with a ProtocolError.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { ProtocolError, SessionExpiredError, ZkError } from '../../src/session/errors.js';
import type { Transport } from '../../src/session/transport/types.js';
import { wireTransport } from '../../src/session/transport/wire/index.js';
import { OpCode, Xid } from '../../src/session/transport/wire/opcodes.js';
import { waitForState } from '../transport-contract/helpers.js';
import { type FakeServer, startFakeServer } from './fake-server.js';

let server: FakeServer;
const open: Transport[] = [];

beforeEach(async () => {
  server = await startFakeServer();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
  await server.close();
});

function connect(sessionTimeoutMs = 3000): Transport {
  const t = wireTransport({ connectString: server.connectString, sessionTimeoutMs });
  open.push(t);
  return t;
}

test('pings after a third of the timeout idle; drops the connection after two thirds of silence', async () => {
  const transport = connect(3000);
  const conn = await server.nextConnection();
  expect(conn.connect.timeoutMs).toBe(3000);
  conn.accept(3000);
  await waitForState(transport, 'connected');
  const start = Date.now();
  const disconnected = await waitForState(transport, 'disconnected', 5000);
  const elapsed = Date.now() - start;
  expect(elapsed).toBeGreaterThanOrEqual(1900);
  expect(elapsed).toBeLessThan(2600);
  expect(disconnected.error?.message).toMatch(/no reply from server/);
  const pings = conn.frames.filter((f) => f.xid === Xid.ping && f.type === OpCode.ping);
  expect(pings.length).toBeGreaterThanOrEqual(1);
  // The client resumes the same session on its next connection.
  const again = await server.nextConnection();
  expect(again.connect.sessionId).toBe(0x1234n);
});

test('answered pings keep the connection', async () => {
  const transport = connect(1500);
  server.onFrame = (c, f) => {
    if (f.xid === Xid.ping) c.reply(Xid.ping, 0);
  };
  (await server.nextConnection()).accept(1500);
  await waitForState(transport, 'connected');
  const states: string[] = [];
  transport.onState((s) => states.push(s.kind));
  await new Promise((r) => setTimeout(r, 3000));
  expect(states).toEqual([]);
});

test('a ConnectResponse with timeout 0 means expired', async () => {
  const transport = connect();
  (await server.nextConnection()).accept(0);
  await waitForState(transport, 'expired');
  await expect(transport.exists('/x')).rejects.toBeInstanceOf(SessionExpiredError);
});

test('an UNIMPLEMENTED reply becomes ZkError UNIMPLEMENTED', async () => {
  const transport = connect();
  server.onFrame = (c, f) => {
    if (f.type === OpCode.addWatch) c.reply(f.xid, -6);
  };
  (await server.nextConnection()).accept(3000);
  await waitForState(transport, 'connected');
  const error = await transport.addWatch('/x', 'persistent', () => {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ZkError);
  expect((error as ZkError).code).toBe('UNIMPLEMENTED');
});

/** Random bytes, and well-framed replies with random xids, codes and bodies. */
const garbage = fc.oneof(
  fc
    .array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 5 })
    .map((chunks) => chunks.map(Buffer.from)),
  fc
    .array(
      fc.record({
        xid: fc.oneof(fc.constantFrom(1, 2, -1, -2, -4, -8), fc.integer()),
        err: fc.oneof(fc.constantFrom(0, -101, -6), fc.integer()),
        body: fc.uint8Array({ maxLength: 200 }),
      }),
      { minLength: 1, maxLength: 5 },
    )
    .map((replies) =>
      replies.map(({ xid, err, body }) => {
        const f = Buffer.alloc(4 + 16 + body.length);
        f.writeInt32BE(16 + body.length, 0);
        f.writeInt32BE(xid, 4);
        f.writeBigInt64BE(1n, 8);
        f.writeInt32BE(err, 16);
        f.set(body, 20);
        return f;
      }),
    ),
);

test('garbage after the handshake only ever closes the connection with a ProtocolError', async () => {
  await fc.assert(
    fc.asyncProperty(garbage, async (chunks) => {
      // A server per run: the previous run's transport may have reconnected to the last one.
      const own = await startFakeServer();
      const transport = wireTransport({ connectString: own.connectString, sessionTimeoutMs: 3000 });
      try {
        const conn = await own.nextConnection();
        conn.accept(3000);
        await waitForState(transport, 'connected');
        const calls = [
          transport.getData('/x', () => {}).catch((e: unknown) => e),
          transport.multi([{ op: 'check', path: '/x', version: 1 }]).catch((e: unknown) => e),
        ];
        for (const c of chunks) conn.socket.write(c);
        await new Promise((r) => setTimeout(r, 10));
        // Whatever the bytes did, the server now hangs up: every call settles, as a result, a
        // ZooKeeper error from a well-formed reply, or a connection loss.
        conn.socket.destroy();
        for (const outcome of await Promise.all(calls)) {
          if (outcome instanceof Error)
            expect(outcome.name).toMatch(/^(ConnectionLossError|ZkError|SessionExpiredError)$/);
        }
        const state = transport.state;
        // An auth reply (xid -4) with AUTHFAILED ends the handle, as it does in ClientCnxn.
        if (state.kind === 'closed') expect((state.error as ZkError).code).toBe('AUTHFAILED');
        else expect(['connected', 'disconnected']).toContain(state.kind);
        if (state.kind === 'disconnected' && !(state.error instanceof ProtocolError)) {
          expect(state.error?.name).toBe('ConnectionLossError');
        }
      } finally {
        await transport.close();
        await own.close();
      }
    }),
    { numRuns: 60 },
  );
});

test('TLS: connects with options.tls and verifies the server certificate', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'zk-wire-tls-'));
  try {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    expect(made.status, made.stderr?.toString()).toBe(0);
    const tlsServer = await startFakeServer({ key: readFileSync(key), cert: readFileSync(cert) });
    tlsServer.onFrame = (c, f) => {
      if (f.type === OpCode.exists) c.reply(f.xid, -101);
    };
    const transport = wireTransport({
      connectString: tlsServer.connectString,
      sessionTimeoutMs: 3000,
      tls: { ca: readFileSync(cert) },
    });
    try {
      (await tlsServer.nextConnection()).accept(3000);
      await waitForState(transport, 'connected');
      expect(await transport.exists('/x')).toBeNull();
    } finally {
      await transport.close();
      await tlsServer.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
