/**
 * The transport contract suite: what every Transport implementation must do against a real
 * ZooKeeper (see the contract in src/session/transport/types.ts). Each implementation has one
 * test file that calls `defineTransportContract`; the file starts one standalone server.
 *
 * @example
 * // test/transport-contract/wire.test.ts
 * defineTransportContract('wire', wireTransport);
 * // test/transport-contract/native.test.ts
 * defineTransportContract('native', nativeTransport, { unimplemented: ['multi', ...] });
 */
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import type { TransportFactory } from '../../src/session/transport/types.js';
import { startZooKeeper, type ZooKeeperCluster } from '../../src/testing/index.js';
import { modeCases, operationCases } from './cases-operations.js';
import { optionalFeatureCases } from './cases-optional.js';
import { sessionCases } from './cases-session.js';
import { watchCases } from './cases-watches.js';
import type { ContractContext, TransportContractOptions } from './context.js';
import { TransportPool } from './helpers.js';

export type { OptionalFeature, TransportContractOptions } from './context.js';

export function defineTransportContract(
  name: string,
  factory: TransportFactory,
  options: TransportContractOptions = {},
): void {
  describe(`transport contract: ${name}`, () => {
    let cluster: ZooKeeperCluster | undefined;
    const pool = new TransportPool(factory);
    const ctx: ContractContext = {
      get zk() {
        if (cluster === undefined) throw new Error('the ZooKeeper server is not started');
        return cluster;
      },
      pool,
      unimplemented: new Set(options.unimplemented ?? []),
    };

    beforeAll(async () => {
      cluster = await startZooKeeper();
    });
    afterEach(() => pool.closeAll());
    afterAll(() => cluster?.stop());

    describe('operations', () => operationCases(ctx));
    describe('create modes', () => modeCases(ctx));
    describe('watches', () => watchCases(ctx));
    describe('optional features', () => optionalFeatureCases(ctx));
    // Last: these restart the server and expire sessions.
    describe('session', () => sessionCases(ctx));
  });
}
