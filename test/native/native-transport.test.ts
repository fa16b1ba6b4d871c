/**
 * What only the native transport does: refusals for inputs the binding would mangle. No server
 * is needed: nothing listens on 127.0.0.1:1, so the transport stays connecting.
 */
import { afterEach, expect, test } from 'vitest';
import { InvalidArgumentError, SessionClosedError } from '../../src/session/errors.js';
import { nativeTransport } from '../../src/session/transport/native/index.js';
import { OPEN_ACL_UNSAFE, type Transport } from '../../src/session/transport/types.js';

const opened: Transport[] = [];
function open(): Transport {
  const transport = nativeTransport({ connectString: '127.0.0.1:1', sessionTimeoutMs: 4_000 });
  opened.push(transport);
  return transport;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

test('a session password that is not 16 bytes is refused up front', () => {
  expect(() =>
    nativeTransport({
      connectString: '127.0.0.1:1',
      sessionTimeoutMs: 4_000,
      session: { sessionId: 1n, password: Buffer.alloc(8) },
    }),
  ).toThrow(InvalidArgumentError);
});

test('a TTL the binding would truncate to int32 is refused', async () => {
  const transport = open();
  expect(transport.kind).toBe('native');
  const create = transport.create('/ttl', new Uint8Array(0), {
    mode: 'persistentWithTtl',
    acl: OPEN_ACL_UNSAFE,
    ttlMs: 2 ** 31,
  });
  await expect(create).rejects.toBeInstanceOf(InvalidArgumentError);
});

test('auth bytes that are not UTF-8 are refused (the binding sends a string)', async () => {
  const transport = open();
  await expect(transport.addAuth('digest', new Uint8Array([0xff, 0xfe]))).rejects.toBeInstanceOf(
    InvalidArgumentError,
  );
});

test('after close, refusals say closed', async () => {
  const transport = open();
  await transport.close();
  const create = transport.create('/ttl', new Uint8Array(0), {
    mode: 'persistentWithTtl',
    acl: OPEN_ACL_UNSAFE,
    ttlMs: 2 ** 31,
  });
  await expect(create).rejects.toBeInstanceOf(SessionClosedError);
  await expect(transport.multi([])).rejects.toBeInstanceOf(SessionClosedError);
});
