/** What the contract's case groups share, and how an implementation declares what it lacks. */
import type { ZooKeeperCluster } from '../../src/testing/index.js';
import type { TransportPool } from './helpers.js';

/**
 * Features a Transport may lack. For a listed feature the suite asserts exactly the honest
 * refusal (ZkError `UNIMPLEMENTED`, or for `create2` a create result without `stat`); for every
 * feature not listed it asserts the real behaviour.
 */
export type OptionalFeature =
  | 'multi'
  | 'multiRead'
  /** create returns the new node's stat. */
  | 'create2'
  /** create with an ACL other than OPEN_ACL_UNSAFE. */
  | 'createWithAcl'
  | 'addWatch'
  | 'removeWatches'
  | 'getEphemerals'
  | 'getAllChildrenNumber';

export interface TransportContractOptions {
  /** The optional features this implementation does not have. */
  unimplemented?: readonly OptionalFeature[];
}

export interface ContractContext {
  /** The file's standalone server (started in beforeAll). */
  readonly zk: ZooKeeperCluster;
  /** Opens transports; all are closed after each test. */
  readonly pool: TransportPool;
  readonly unimplemented: ReadonlySet<OptionalFeature>;
}
