/**
 * Bad input never reaches a transport: each case rejects with an InvalidArgumentError that names
 * the argument, and the scripted transport records no call.
 */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/session/errors.js';
import { Session } from '../../src/session/session.js';
import { connectScripted } from '../support/scripted-transport.js';

async function openSession() {
  const { session, made } = await connectScripted({ maxDataBytes: 1024 });
  return { session, transport: made[0]! };
}

const bad: [string, string, (s: Session) => Promise<unknown>][] = [
  ['empty path', 'path', (s) => s.getData('')],
  ['relative path', 'path', (s) => s.getData('a/b')],
  ['trailing slash', 'path', (s) => s.exists('/a/')],
  ['empty segment', 'path', (s) => s.getChildren('/a//b')],
  ['dot segment', 'path', (s) => s.delete('/a/./b')],
  ['dot-dot segment', 'path', (s) => s.delete('/a/../b')],
  ['NUL in path', 'path', (s) => s.create('/a\u0000b')],
  ['control character', 'path', (s) => s.create('/a\u0007')],
  ['non-string path', 'path', (s) => s.getData(42 as unknown as string)],
  ['a character outside the BMP (the server refuses it)', 'path', (s) => s.create('/e\u{1F600}')],
  ['a lone surrogate', 'path', (s) => s.create('/e\uD800x')],
  ['a private-use character', 'path', (s) => s.create('/e\uE000')],
  ['data over the limit', 'data', (s) => s.create('/a', Buffer.alloc(1025))],
  ['data of a wrong type', 'data', (s) => s.setData('/a', { x: 1 } as unknown as string)],
  ['unknown mode', 'mode', (s) => s.create('/a', 'x', { mode: 'forever' as never })],
  ['TTL mode without TTL', 'ttlMs', (s) => s.create('/a', 'x', { mode: 'persistentWithTtl' })],
  ['TTL on a plain mode', 'ttlMs', (s) => s.create('/a', 'x', { ttlMs: 1000 })],
  ['fractional version', 'version', (s) => s.setData('/a', 'x', { version: 1.5 })],
  ['version below -1', 'version', (s) => s.delete('/a', { version: -2 })],
  ['version over int32', 'version', (s) => s.delete('/a', { version: 2 ** 31 })],
  ['empty ACL', 'acl', (s) => s.setAcl('/a', [])],
  [
    'ACL with zero perms',
    'acl',
    (s) => s.create('/a', 'x', { acl: [{ perms: 0, scheme: 'world', id: 'anyone' }] }),
  ],
  ['empty multi', 'ops', (s) => s.multi([])],
  ['unknown multi op', 'ops[0].op', (s) => s.multi([{ op: 'drop', path: '/a' } as never])],
  ['bad path inside multi', 'path', (s) => s.multi([{ op: 'check', path: 'rel' }])],
  ['name with a slash', 'name', (s) => s.createProtected('/p', 'a/b')],
  ['addWatch with a bad mode', 'mode', (s) => s.addWatch('/a', 'once' as never, () => {})],
  ['a watch that is not a function', 'watch', (s) => s.getData('/a', { watch: 'x' as never })],
];

describe('Session input validation', () => {
  test('names the character: a code point outside the BMP by its code point', async () => {
    const { session } = await openSession();
    await expect(session.create('/e\u{1F600}')).rejects.toThrow(
      'U+1F600 (outside the Basic Multilingual Plane)',
    );
    await expect(session.create('/a\u0007')).rejects.toThrow('U+0007');
    await session.close();
  });

  test.each(bad)('%s -> InvalidArgumentError(%s), nothing sent', async (_name, argument, call) => {
    const { session, transport } = await openSession();
    const err = await call(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).argument).toBe(argument);
    expect(transport.calls).toEqual([]);
    await session.close();
  });

  test('bad session options are refused before connecting', async () => {
    await expect(Session.connect({ connectString: '' })).rejects.toMatchObject({
      argument: 'connectString',
    });
    await expect(
      Session.connect({ connectString: 'x:1', sessionTimeoutMs: -5 }),
    ).rejects.toMatchObject({ argument: 'sessionTimeoutMs' });
    await expect(
      Session.connect({ connectString: 'x:1', namespace: 'a//b' }),
    ).rejects.toMatchObject({ argument: 'namespace' });
    await expect(
      Session.connect({ connectString: 'x:1', retry: { maxRetries: -1 } }),
    ).rejects.toMatchObject({ argument: 'retry.maxRetries' });
  });
});
