/**
 * zookeeper-recipes: ZooKeeper coordination recipes for Node.js.
 * The session layer (connection states, typed errors, retries, transports), the actor layer the
 * recipes are built on, and the recipes.
 */
export * from './actor/index.js';
export * from './recipes/children-cache.js';
export * from './recipes/config-watch.js';
export * from './recipes/discovery/index.js';
export * from './recipes/group-membership.js';
export type { WaitOptions as CacheWaitOptions } from './recipes/internal/cache-actor.js';
export * from './recipes/leader-election.js';
export { LockLostError, type LossReason } from './recipes/lock-errors.js';
export { LockHandle } from './recipes/lock-handle.js';
export * from './recipes/mutex.js';
export * from './recipes/persistent-node.js';
export * from './recipes/priority-queue.js';
export { ReadWriteLock } from './recipes/read-write-lock.js';
export { Semaphore } from './recipes/semaphore.js';
export * from './session/index.js';
