/** Errors of service discovery (STYLE §10): each with a name, a cause and the fields to act on. */

/** A znode under a service holds data that is not a service instance; the locator skips it. */
export class ServiceInstanceParseError extends Error {
  override name = 'ServiceInstanceParseError';
  /** The instance znode, relative to the session namespace. */
  readonly path: string;
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`${path} is not a service instance: ${reason}`, options);
    this.path = path;
  }
}

/** `update` named an instance id that this registry has not registered (or has unregistered). */
export class ServiceNotRegisteredError extends Error {
  override name = 'ServiceNotRegisteredError';
  readonly id: string;
  constructor(id: string) {
    super(`service instance ${id} is not registered`);
    this.id = id;
  }
}
