/**
 * zookeeper-recipes: ZooKeeper coordination recipes for Node.js.
 * The session layer (connection states, typed errors, retries) and the actor layer the recipes
 * are built on.
 */
export * from './session/index.js';
