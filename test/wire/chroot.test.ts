/** Chroot path mapping in both directions. */
import { expect, test } from 'vitest';
import { Chroot } from '../../src/session/transport/wire/chroot.js';

test('paths gain the prefix going out and lose it coming back', () => {
  const c = new Chroot('/app');
  expect(c.toServer('/')).toBe('/app');
  expect(c.toServer('/a/b')).toBe('/app/a/b');
  expect(c.toClient('/app')).toBe('/');
  expect(c.toClient('/app/a/b')).toBe('/a/b');
  // A sibling that merely shares the prefix's characters is outside the chroot.
  expect(c.toClient('/apple')).toBe('/apple');
});

test('no chroot leaves paths alone', () => {
  const c = new Chroot('');
  expect(c.toServer('/a')).toBe('/a');
  expect(c.toClient('/a')).toBe('/a');
});
