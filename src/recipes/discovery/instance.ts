/**
 * A service instance as curator-x-discovery stores it (CURATOR-COMPAT.md, "Service discovery"):
 * the shape users pass to `ServiceRegistry.register`, its checks, and the defaults Curator's
 * `ServiceInstanceBuilder` fills in (a random UUID id, the registration time, DYNAMIC).
 *
 * The znode bytes are in instance-json.ts; the `uriSpec` template in uri-spec.ts.
 */
import { randomUUID } from 'node:crypto';
import { InvalidArgumentError } from '../../session/errors.js';
import { parseUriSpec } from './uri-spec.js';

export const SERVICE_TYPES = ['DYNAMIC', 'STATIC', 'PERMANENT', 'DYNAMIC_SEQUENTIAL'] as const;
/**
 * How a registration lives (Curator's ServiceType): DYNAMIC -> an ephemeral node (gone with the
 * process), DYNAMIC_SEQUENTIAL -> ephemeral sequential, STATIC -> persistent (deleted by
 * `unregister` and `close`), PERMANENT -> persistent and kept on `close` (HARD-CASES 16).
 */
export type ServiceType = (typeof SERVICE_TYPES)[number];

/** A JSON value: what a payload may be. Java readers need an object with `"@class"`. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/** A registered instance, as written to and read from ZooKeeper. */
export interface ServiceInstance {
  readonly name: string;
  readonly id: string;
  readonly address: string;
  readonly port: number | null;
  readonly sslPort: number | null;
  readonly payload: JsonValue;
  /** Milliseconds since the epoch (Java's `System.currentTimeMillis()`). */
  readonly registrationTimeUTC: number;
  readonly serviceType: ServiceType;
  /** Curator's UriSpec as a template, e.g. `{scheme}://{address}:{port}`; null for none. */
  readonly uriSpec: string | null;
  /** Curator writes no `enabled` by default; a reader takes a missing one as true. */
  readonly enabled: boolean;
}

/** What `register` accepts: a ServiceInstance whose optional parts get Curator's defaults. */
export interface ServiceInstanceInput {
  name: string;
  /** A node name (no `/`). Default: a random UUID. */
  id?: string;
  address: string;
  port?: number | null;
  sslPort?: number | null;
  payload?: JsonValue;
  /** Default DYNAMIC. */
  serviceType?: ServiceType;
  uriSpec?: string | null;
  /** Default: now (on `update`: the time of the registration). */
  registrationTimeUTC?: number;
}

/**
 * Checks `input` and fills in the defaults. Throws InvalidArgumentError naming the field: a name
 * or id that is not a node name, a port outside 0..65535, a payload JSON cannot represent
 * (BigInt, a cycle, a function), an unknown service type, a malformed uriSpec.
 */
export function toServiceInstance(input: ServiceInstanceInput, now = Date.now()): ServiceInstance {
  if (typeof input !== 'object' || input === null)
    throw new InvalidArgumentError('instance', 'expected an object');
  const serviceType = input.serviceType ?? 'DYNAMIC';
  if (!SERVICE_TYPES.includes(serviceType))
    throw new InvalidArgumentError(
      'serviceType',
      `expected one of ${SERVICE_TYPES.join(', ')}, got ${String(serviceType)}`,
    );
  if (typeof input.address !== 'string' || input.address === '')
    throw new InvalidArgumentError('address', 'expected a non-empty string');
  const registrationTimeUTC = input.registrationTimeUTC ?? now;
  if (!Number.isSafeInteger(registrationTimeUTC) || registrationTimeUTC < 0)
    throw new InvalidArgumentError(
      'registrationTimeUTC',
      `expected milliseconds since the epoch, got ${String(registrationTimeUTC)}`,
    );
  const uriSpec = input.uriSpec ?? null;
  if (uriSpec !== null) parseUriSpec(uriSpec); // throws for a malformed template
  const payload = input.payload ?? null;
  checkPayload(payload);
  return {
    name: checkNodeName('name', input.name),
    id: checkNodeName('id', input.id ?? randomUUID()),
    address: input.address,
    port: checkPort('port', input.port),
    sslPort: checkPort('sslPort', input.sslPort),
    payload,
    registrationTimeUTC,
    serviceType,
    uriSpec,
    enabled: true,
  };
}

/** Throws InvalidArgumentError unless `value` can be one segment of a ZooKeeper path. */
export function checkNodeName(field: string, value: unknown): string {
  if (typeof value !== 'string' || value === '' || value === '.' || value === '..')
    throw new InvalidArgumentError(field, `expected a node name, got ${JSON.stringify(value)}`);
  if (value.includes('/'))
    throw new InvalidArgumentError(field, `"${value}" contains "/" (it names one znode)`);
  return value;
}

function checkPort(field: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65_535)
    throw new InvalidArgumentError(field, `expected an integer 0..65535, got ${String(value)}`);
  return value as number;
}

/** The payload must survive JSON: what JSON.stringify drops or throws on is refused here. */
function checkPayload(payload: unknown): void {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (err) {
    throw new InvalidArgumentError('payload', `not serializable as JSON: ${String(err)}`, {
      cause: err,
    });
  }
  if (json === undefined)
    throw new InvalidArgumentError('payload', `not serializable as JSON: ${typeof payload}`);
}
