/** The transport contract on the native (`zookeeper` binding) transport. */
import { nativeTransport } from '../../src/session/transport/native/index.js';
import { defineTransportContract } from './contract.js';

defineTransportContract('native', nativeTransport, {
  // Not exposed by the zookeeper 7.3.0 binding (see src/session/transport/native/native-transport.ts).
  unimplemented: [
    'multi',
    'multiRead',
    'create2',
    'createWithAcl',
    'addWatch',
    'removeWatches',
    'getEphemerals',
    'getAllChildrenNumber',
  ],
});
