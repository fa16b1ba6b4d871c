/** Connect string parsing and the server rotation with backoff. */
import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/session/errors.js';
import { HostList, parseConnectString } from '../../src/session/transport/wire/host-list.js';

describe('parseConnectString', () => {
  test('hosts, default port, IPv6 and chroot', () => {
    expect(parseConnectString('a:1,b,[::1]:3/app/x')).toEqual({
      hosts: [
        { host: 'a', port: 1 },
        { host: 'b', port: 2181 },
        { host: '::1', port: 3 },
      ],
      chroot: '/app/x',
    });
    expect(parseConnectString('a:1/').chroot).toBe('');
  });

  test('rejects empty host lists, bad ports and bad chroots', () => {
    for (const bad of ['', '/x', 'a:0', 'a:99999', 'a:1/x/', 'a:1//x']) {
      expect(() => parseConnectString(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});

describe('HostList', () => {
  const hosts = [1, 2, 3].map((port) => ({ host: 'h', port }));

  test('visits every server once per round, pausing only after a failed round', () => {
    const list = new HostList(hosts);
    const round = () => Array.from({ length: 3 }, () => list.next());
    const first = round();
    expect(new Set(first.map((n) => n.host.port)).size).toBe(3);
    expect(first.map((n) => n.delayMs)).toEqual([0, 0, 0]);
    const second = round();
    expect(second[0]!.delayMs).toBeGreaterThan(0);
    expect(second.slice(1).map((n) => n.delayMs)).toEqual([0, 0]);
    expect(second.map((n) => n.host)).toEqual(first.map((n) => n.host));
  });

  test('a successful connect resets the backoff', () => {
    const list = new HostList(hosts);
    for (let i = 0; i < 9; i++) list.next();
    list.connected();
    expect(list.next().delayMs).toBe(0);
  });
});
