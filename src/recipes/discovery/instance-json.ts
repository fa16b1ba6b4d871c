/**
 * The znode bytes of a service instance: UTF-8 JSON as Curator's JsonInstanceSerializer writes
 * it, keys in its order (CURATOR-COMPAT.md):
 *
 *   {"name":"db","id":"<uuid>","address":"10.0.0.5","port":5432,"sslPort":null,"payload":null,
 *    "registrationTimeUTC":1769292890155,"serviceType":"DYNAMIC","uriSpec":null}
 *
 * No `enabled` is written (Curator's default serializer writes none). The reader is lenient
 * where Curator's is: unknown keys are ignored, a missing `enabled` is true, missing optional
 * fields are null (missing serviceType: DYNAMIC); and strict where a wrong value would mislead a
 * caller: name, id and address must be strings, ports integers.
 */
import { ServiceInstanceParseError } from './errors.js';
import {
  type JsonValue,
  SERVICE_TYPES,
  type ServiceInstance,
  type ServiceType,
} from './instance.js';
import { formatUriSpec, parseUriSpec, type UriSpecPart } from './uri-spec.js';

/** The JSON text of `instance`, in Curator's key order. */
export function serializeInstance(instance: ServiceInstance): string {
  return JSON.stringify({
    name: instance.name,
    id: instance.id,
    address: instance.address,
    port: instance.port,
    sslPort: instance.sslPort,
    payload: instance.payload,
    registrationTimeUTC: instance.registrationTimeUTC,
    serviceType: instance.serviceType,
    uriSpec: instance.uriSpec === null ? null : { parts: parseUriSpec(instance.uriSpec) },
  });
}

/** Parses the data of the znode at `path` (a frozen instance); throws ServiceInstanceParseError. */
export function parseInstance(path: string, data: Uint8Array): ServiceInstance {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(data).toString('utf8'));
  } catch (err) {
    throw new ServiceInstanceParseError(path, 'not JSON', { cause: err });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new ServiceInstanceParseError(path, 'not a JSON object');
  const fields = json as Record<string, unknown>;
  const fail = (key: string, expected: string): never => {
    throw new ServiceInstanceParseError(
      path,
      `"${key}" is ${JSON.stringify(fields[key])}, expected ${expected}`,
    );
  };
  const string = (key: string): string =>
    typeof fields[key] === 'string' ? fields[key] : fail(key, 'a string');
  const port = (key: string): number | null => {
    const value = fields[key] ?? null;
    return value === null || Number.isInteger(value)
      ? (value as number | null)
      : fail(key, 'an integer');
  };
  const serviceType = fields.serviceType ?? 'DYNAMIC';
  if (!SERVICE_TYPES.includes(serviceType as ServiceType))
    fail('serviceType', SERVICE_TYPES.join(' | '));
  const time = fields.registrationTimeUTC ?? 0;
  if (typeof time !== 'number') fail('registrationTimeUTC', 'a number');
  const uriSpec = readUriSpec(fields.uriSpec ?? null);
  if (uriSpec === undefined) fail('uriSpec', '{"parts":[{"value":..., "variable":...}]}');
  const enabled = fields.enabled ?? true;
  if (typeof enabled !== 'boolean') fail('enabled', 'a boolean');
  return Object.freeze({
    name: string('name'),
    id: string('id'),
    address: string('address'),
    port: port('port'),
    sslPort: port('sslPort'),
    payload: (fields.payload ?? null) as JsonValue,
    registrationTimeUTC: time as number,
    serviceType: serviceType as ServiceType,
    uriSpec: uriSpec as string | null,
    enabled: enabled as boolean,
  });
}

/** The template of a stored UriSpec; null for none; undefined if it is not one. */
function readUriSpec(value: unknown): string | null | undefined {
  if (value === null) return null;
  const parts = (value as { parts?: unknown } | undefined)?.parts;
  if (!Array.isArray(parts)) return undefined;
  const isPart = (p: unknown): p is UriSpecPart =>
    typeof (p as UriSpecPart)?.value === 'string' &&
    typeof (p as UriSpecPart).variable === 'boolean';
  return parts.every(isPart) ? formatUriSpec(parts) : undefined;
}
