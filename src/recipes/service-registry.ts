/**
 * ServiceRegistry: this process's service instances, registered in curator-x-discovery's layout
 * (CURATOR-COMPAT.md) so that Java ServiceDiscovery/ServiceCache see them, and ServiceLocator
 * sees Java's.
 *
 * ```ts
 * const registry = new ServiceRegistry(session, '/services');
 * const db = await registry.register({ name: 'db', address: '10.0.0.5', port: 5432 });
 * await registry.update({ ...db, payload: { '@class': 'java.util.HashMap', load: 0.7 } });
 * await registry.close(); // unregisters everything but PERMANENT instances
 * ```
 *
 * Each instance is `<base>/<name>/<id>`, not protected, parents containers; its data the JSON
 * of instance-json.ts. DYNAMIC -> EPHEMERAL, DYNAMIC_SEQUENTIAL -> EPHEMERAL_SEQUENTIAL (named
 * through the protected create, `_c_<uuid>-<id><seq>`, so a lost reply leaves no orphan,
 * HARD-CASES 1; readers go by the data, not the name), STATIC and PERMANENT -> PERSISTENT.
 *
 * Promise: instances of live processes only, each with its latest data (HARD-CASES 16). Every
 * instance is a PersistentNode, which re-creates it with the latest data after someone deletes
 * it and on every new session. `register` replaces what holds the path, as Curator does on
 * NodeExists: a node of ours (our session's ephemeral, or a persistent one for STATIC and
 * PERMANENT) gets the new data; anything else (another session's ephemeral, say ours from
 * before a restart) is deleted and created anew. Re-creations never delete: a node of another
 * session is waited out, so two processes sharing an id cannot delete each other in a loop.
 *
 * Session states (STYLE §6), through the PersistentNodes:
 * - `suspended`: nothing is done; the instances may or may not still exist.
 * - `reconnected`: every instance is checked (ours? latest data?) and re-created if gone.
 * - `lost`: ephemeral instances went with the session (`deleted`, reason `sessionLost`); they
 *   are re-created with their latest data on the new session's `connected` (`registered`).
 * - session `closed`: the registry closes (ephemeral instances went with the session).
 */

import { Actor, type TransitionTable } from '../actor/actor.js';
import type { MailboxFailure } from '../actor/mailbox.js';
import {
  InvalidArgumentError,
  InvariantError,
  RecipeClosedError,
  ZkError,
} from '../session/errors.js';
import { joinPath, validatePath } from '../session/paths.js';
import type { Session } from '../session/session.js';
import { DEFAULT_MAX_DATA_BYTES, toBytes } from '../session/validate.js';
import { ServiceNotRegisteredError } from './discovery/errors.js';
import {
  checkNodeName,
  type ServiceInstance,
  type ServiceInstanceInput,
  type ServiceType,
  toServiceInstance,
} from './discovery/instance.js';
import { serializeInstance } from './discovery/instance-json.js';
import type { WaitOptions } from './internal/cache-actor.js';
import { isConnectionFailure } from './internal/cache-reader.js';
import { NodeDeleter } from './internal/node-deleter.js';
import { PersistentNode, type PersistentNodeMode } from './persistent-node.js';

export interface ServiceRegistryEvents {
  /** An instance's node came into being: registered, or re-registered after a loss. */
  registered: [{ instance: ServiceInstance; path: string }];
  /** An instance's node went without `unregister` (deleted, session lost); it is re-created. */
  deleted: [{ instance: ServiceInstance; path: string; reason: 'deleted' | 'sessionLost' }];
  /** A failure with nobody to reject (e.g. NOAUTH on a re-creation); the registry keeps going. */
  error: [Error];
}

export type ServiceRegistryState = { kind: 'open' } | { kind: 'closed' };

const TRANSITIONS: TransitionTable<ServiceRegistryState['kind']> = {
  open: ['closed'],
  closed: [],
};

const MODES: Readonly<Record<ServiceType, PersistentNodeMode>> = {
  DYNAMIC: 'ephemeral',
  DYNAMIC_SEQUENTIAL: 'ephemeralSequential',
  STATIC: 'persistent',
  PERMANENT: 'persistent',
};

/** One registered instance: its latest data and the node that keeps it in ZooKeeper. */
interface Registration {
  instance: ServiceInstance;
  readonly path: string;
  readonly node: PersistentNode;
}

/** Update input: the id names the registration; a missing registrationTimeUTC keeps its own. */
export type ServiceInstanceUpdate = ServiceInstanceInput & { id: string };

export class ServiceRegistry extends Actor<ServiceRegistryState, never, ServiceRegistryEvents> {
  readonly basePath: string;
  readonly #session: Session;
  readonly #registrations = new Map<string, Registration>();
  readonly #deleter: NodeDeleter;
  // Its PersistentNodes close themselves when the session closes; the registry follows.
  readonly #onSessionClosed = () => void this.close().catch(() => undefined);

  /** Throws InvalidArgumentError for a bad base path. */
  constructor(session: Session, basePath: string) {
    validatePath(basePath, { argument: 'basePath' });
    super({
      name: `ServiceRegistry ${basePath}`,
      initial: { kind: 'open' },
      transitions: TRANSITIONS,
      generation: () => session.generation,
    });
    this.basePath = basePath;
    this.#session = session;
    this.#deleter = new NodeDeleter(session, (error) => this.emit('error', error));
    session.once('closed', this.#onSessionClosed);
  }

  /** The registered instances, with their latest data. */
  instances(): ServiceInstance[] {
    return [...this.#registrations.values()].map((r) => r.instance);
  }

  /**
   * Registers `input` (an id already registered: replaces it) and resolves with the instance as
   * stored (id and registrationTimeUTC filled in) once its node exists. Rejects with
   * InvalidArgumentError for bad input, RecipeClosedError after close, a ZkError if the path
   * could not be cleared; the options bound the wait only (the registration stays).
   */
  async register(input: ServiceInstanceInput, options: WaitOptions = {}): Promise<ServiceInstance> {
    const instance = toServiceInstance(input);
    const path = this.#pathOf(instance);
    const data = encode(instance);
    const node = await this.mailbox.call(() => this.#register(instance, path, data));
    // Not in the mailbox turn: close() and unregister() must not queue behind the wait.
    await node.start(options);
    return instance;
  }

  /**
   * Writes new data for a registered instance, now and for every re-registration. Name and
   * service type cannot change (register again for that). Rejects with ServiceNotRegisteredError
   * for an unknown id, InvalidArgumentError for bad input, RecipeClosedError after close.
   */
  async update(input: ServiceInstanceUpdate): Promise<ServiceInstance> {
    const id = checkNodeName('id', input?.id);
    return this.mailbox.call(async () => {
      this.#checkOpen();
      const registration = this.#registrations.get(id);
      if (registration === undefined) throw new ServiceNotRegisteredError(id);
      const { name, serviceType, registrationTimeUTC } = registration.instance;
      const instance = toServiceInstance({
        ...input,
        registrationTimeUTC: input.registrationTimeUTC ?? registrationTimeUTC,
      });
      if (instance.name !== name || instance.serviceType !== serviceType)
        throw new InvalidArgumentError(
          'instance',
          `${id} is registered as ${name} (${serviceType}); register it again to change that`,
        );
      const data = encode(instance);
      registration.instance = instance;
      await registration.node.setData(data);
      return instance;
    });
  }

  /**
   * Unregisters the instance `id` (PERMANENT ones too): its node is deleted, retried until it is
   * gone (HARD-CASES 10). An unknown id is not an error. Rejects with RecipeClosedError after
   * close.
   */
  async unregister(id: string): Promise<void> {
    checkNodeName('id', id);
    await this.mailbox.call(async () => {
      this.#checkOpen();
      const registration = this.#registrations.get(id);
      if (registration !== undefined) await this.#remove(registration);
    });
  }

  /** `await using` closes it. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Unregisters every instance except PERMANENT ones, which stay in ZooKeeper (HARD-CASES 16),
   * and stops re-registering. Idempotent.
   */
  async close(): Promise<void> {
    this.#session.off('closed', this.#onSessionClosed);
    await this.mailbox
      .call(async () => {
        if (this.state.kind === 'closed') return;
        this.transition({ kind: 'closed' }, 'close');
        const registrations = [...this.#registrations.values()];
        this.#registrations.clear();
        await Promise.all(registrations.map((r) => r.node.close()));
      })
      .catch((err: unknown) => {
        if (!(err instanceof RecipeClosedError)) throw err;
      });
    await this.mailbox.close();
  }

  async #register(
    instance: ServiceInstance,
    path: string,
    data: Uint8Array,
  ): Promise<PersistentNode> {
    this.#checkOpen();
    const existing = this.#registrations.get(instance.id);
    if (existing !== undefined) {
      const same =
        existing.instance.name === instance.name &&
        existing.instance.serviceType === instance.serviceType;
      if (same) {
        existing.instance = instance;
        await existing.node.setData(data);
        return existing.node;
      }
      await this.#remove(existing); // another name or type is another node
    }
    const mode = MODES[instance.serviceType];
    if (mode === 'ephemeral' || mode === 'persistent') await this.#claim(path, mode, data);
    const node = new PersistentNode(this.#session, path, data, {
      mode,
      keepOnClose: instance.serviceType === 'PERMANENT',
    });
    const registration: Registration = { instance, path, node };
    node.on('created', (e) =>
      this.emit('registered', { instance: registration.instance, path: e.path }),
    );
    node.on('deleted', (e) =>
      this.emit('deleted', { instance: registration.instance, path: e.path, reason: e.reason }),
    );
    node.on('error', (error) => this.emit('error', error));
    this.#registrations.set(instance.id, registration);
    return node;
  }

  /** Deletes a registration's node (retried until it is gone, HARD-CASES 10), PERMANENT too. */
  async #remove(registration: Registration): Promise<void> {
    this.#registrations.delete(registration.instance.id);
    await registration.node.close();
    // A PERMANENT node is kept by its PersistentNode's close (keepOnClose): delete it here.
    if (registration.instance.serviceType === 'PERMANENT')
      await this.#deleter.delete(registration.path);
  }

  /**
   * Curator's register (HARD-CASES 16): create; on NodeExists, a node that is not ours (another
   * session's ephemeral, say ours from before a restart, or a persistent node where an ephemeral
   * one is wanted) is deleted, at the version we saw, so a newer one is left alone; ours (our
   * session's ephemeral, or any persistent node for a persistent mode) is kept. Either way the
   * PersistentNode then adopts or creates the node and writes the latest data. Creating here
   * first also spares it a look at a missing node and an exists-watch: 2 round trips, not 5.
   */
  async #claim(path: string, mode: 'ephemeral' | 'persistent', data: Uint8Array): Promise<void> {
    try {
      await this.#session.create(path, data, { mode, createParents: true });
      return;
    } catch (err) {
      // Lost reply, or a parent reaped meanwhile: the PersistentNode looks and sorts it out.
      if (isConnectionFailure(err) || (err instanceof ZkError && err.code === 'NONODE')) return;
      if (!(err instanceof ZkError && err.code === 'NODEEXISTS')) throw err;
    }
    const stat = await this.#session.exists(path);
    if (stat === null) return;
    const owner = mode === 'ephemeral' ? this.#session.sessionId : 0n;
    if (stat.ephemeralOwner === owner) return;
    try {
      await this.#session.delete(path, { version: stat.version });
    } catch (err) {
      if (!(err instanceof ZkError && (err.code === 'NONODE' || err.code === 'BADVERSION')))
        throw err;
    }
  }

  /** Calls queued before close() but run after it must not register anything again. */
  #checkOpen(): void {
    if (this.state.kind === 'closed') throw new RecipeClosedError(this.name);
  }

  #pathOf(instance: ServiceInstance): string {
    const path = joinPath(joinPath(this.basePath, instance.name), instance.id);
    validatePath(path, { argument: 'instance' });
    return path;
  }

  /**
   * Every input is a user call run in the mailbox's turn (`mailbox.call`); session states and
   * triggers are handled by the PersistentNodes. So no message ever arrives.
   */
  protected handle(message: never): never {
    throw new InvariantError(`${this.name}: unexpected message ${String(message)}`);
  }

  protected onFailure(failure: MailboxFailure<never>): void {
    const { error } = failure;
    this.emit('error', error instanceof Error ? error : new Error(String(error)));
  }
}

/** The znode bytes of `instance`; InvalidArgumentError if they exceed the znode size limit. */
function encode(instance: ServiceInstance): Uint8Array {
  return toBytes(serializeInstance(instance), DEFAULT_MAX_DATA_BYTES, 'instance');
}
