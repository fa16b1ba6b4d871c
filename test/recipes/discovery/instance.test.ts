/**
 * Service instances without a server: Curator's JSON (key order, nulls, no `enabled`), the
 * lenient reader, the UriSpec template, the checks on what users pass, and the strategies.
 */
import { describe, expect, test } from 'vitest';
import { ServiceInstanceParseError } from '../../../src/recipes/discovery/errors.js';
import { toServiceInstance } from '../../../src/recipes/discovery/instance.js';
import { parseInstance, serializeInstance } from '../../../src/recipes/discovery/instance-json.js';
import { createStrategy } from '../../../src/recipes/discovery/strategies.js';
import { parseUriSpec } from '../../../src/recipes/discovery/uri-spec.js';
import { InvalidArgumentError } from '../../../src/session/errors.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('instance JSON', () => {
  test('written as Curator writes it: key order, nulls, no enabled', () => {
    const instance = toServiceInstance(
      { name: 'db', id: 'i-1', address: '10.0.0.5', port: 5432 },
      1769292890155,
    );
    expect(serializeInstance(instance)).toBe(
      '{"name":"db","id":"i-1","address":"10.0.0.5","port":5432,"sslPort":null,"payload":null,' +
        '"registrationTimeUTC":1769292890155,"serviceType":"DYNAMIC","uriSpec":null}',
    );
  });

  test('uriSpec is stored as parts and read back as the template', () => {
    const instance = toServiceInstance({
      name: 'web',
      address: 'h',
      uriSpec: '{scheme}://{ address }:{port}/x',
    });
    const json = JSON.parse(serializeInstance(instance));
    expect(json.uriSpec).toEqual({
      parts: [
        { value: 'scheme', variable: true },
        { value: '://', variable: false },
        { value: 'address', variable: true },
        { value: ':', variable: false },
        { value: 'port', variable: true },
        { value: '/x', variable: false },
      ],
    });
    expect(parseInstance('/s/web/x', bytes(serializeInstance(instance))).uriSpec).toBe(
      '{scheme}://{address}:{port}/x',
    );
    for (const bad of ['{a', 'a}', '{a{b}}', '}{'])
      expect(() => parseUriSpec(bad), bad).toThrow(InvalidArgumentError);
  });

  test('a round trip keeps every field; the id defaults to a UUID', () => {
    const instance = toServiceInstance({
      name: 'api',
      address: '::1',
      port: 80,
      sslPort: 443,
      payload: { '@class': 'java.util.HashMap', zone: 'a', weights: [1, 2] },
      serviceType: 'STATIC',
    });
    expect(instance.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(parseInstance('/p', bytes(serializeInstance(instance)))).toEqual(instance);
  });

  test('the reader ignores unknown keys, takes a missing enabled as true, reads enabled', () => {
    const read = parseInstance(
      '/p',
      bytes('{"name":"a","id":"b","address":"c","extra":{"x":1},"registrationTimeUTC":5}'),
    );
    expect(read).toMatchObject({
      enabled: true,
      port: null,
      serviceType: 'DYNAMIC',
      payload: null,
    });
    const disabled = parseInstance(
      '/p',
      bytes('{"name":"a","id":"b","address":"c","enabled":false}'),
    );
    expect(disabled.enabled).toBe(false);
  });

  test.each([
    ['not JSON', 'nope'],
    ['not an object', '[1]'],
    ['no name', '{"id":"b","address":"c"}'],
    ['bad port', '{"name":"a","id":"b","address":"c","port":"80"}'],
    ['bad type', '{"name":"a","id":"b","address":"c","serviceType":"X"}'],
    ['bad uriSpec', '{"name":"a","id":"b","address":"c","uriSpec":{"parts":[1]}}'],
  ])('unparsable (%s): ServiceInstanceParseError with the path', (_, text) => {
    const error = (() => {
      try {
        parseInstance('/s/a/b', bytes(text));
      } catch (err) {
        return err;
      }
    })();
    expect(error).toBeInstanceOf(ServiceInstanceParseError);
    expect((error as ServiceInstanceParseError).path).toBe('/s/a/b');
  });
});

describe('checks on register input', () => {
  const base = { name: 'svc', address: 'h' };
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  test.each([
    ['name with /', { ...base, name: 'a/b' }, 'name'],
    ['empty name', { ...base, name: '' }, 'name'],
    ['id with /', { ...base, id: 'x/y' }, 'id'],
    ['id ..', { ...base, id: '..' }, 'id'],
    ['no address', { name: 'svc' }, 'address'],
    ['port out of range', { ...base, port: 70000 }, 'port'],
    ['fractional sslPort', { ...base, sslPort: 1.5 }, 'sslPort'],
    ['BigInt payload', { ...base, payload: 1n }, 'payload'],
    ['circular payload', { ...base, payload: circular }, 'payload'],
    ['function payload', { ...base, payload: () => 1 }, 'payload'],
    ['unknown service type', { ...base, serviceType: 'EPHEMERAL' }, 'serviceType'],
    ['malformed uriSpec', { ...base, uriSpec: '{x' }, 'uriSpec'],
  ])('%s: InvalidArgumentError naming the field', (_, input, field) => {
    expect(() => toServiceInstance(input as never)).toThrow(InvalidArgumentError);
    try {
      toServiceInstance(input as never);
    } catch (err) {
      expect((err as InvalidArgumentError).argument).toBe(field);
    }
  });
});

describe('strategies', () => {
  const candidates = ['a', 'b', 'c'].map((node) => ({ node, instance: node }));
  const byNode = new Map(candidates.map((c) => [c.node, c.instance]));

  test('roundRobin takes each in turn and survives a shorter list', () => {
    const strategy = createStrategy('roundRobin');
    const picks = Array.from({ length: 5 }, () => strategy.pick(candidates, byNode));
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b']);
    expect(strategy.pick(candidates.slice(0, 1), byNode)).toBe('a');
    expect(strategy.pick([], new Map())).toBeUndefined();
  });

  test('sticky keeps its instance while it is listed, then moves on', () => {
    const strategy = createStrategy('sticky');
    const first = strategy.pick(candidates, byNode);
    for (let i = 0; i < 20; i++) expect(strategy.pick(candidates, byNode)).toBe(first);
    const rest = candidates.filter((c) => c.instance !== first);
    const next = strategy.pick(rest, new Map(rest.map((c) => [c.node, c.instance])));
    expect(next).not.toBe(first);
    expect(strategy.pick(rest, new Map(rest.map((c) => [c.node, c.instance])))).toBe(next);
  });

  test('random picks only listed instances, all of them eventually', () => {
    const strategy = createStrategy('random');
    const seen = new Set(Array.from({ length: 200 }, () => strategy.pick(candidates, byNode)));
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  });
});
