/**
 * The native transport: the Transport contract over the `zookeeper` npm binding (ZooKeeper C
 * client 3.8). The alternative to the default wire transport; see native-transport.ts for what
 * the binding lacks and how its events are mapped.
 */
import type { TransportFactory } from '../types.js';
import { NativeTransportImpl } from './native-transport.js';

/** Opens a native transport; it starts connecting at once. */
export const nativeTransport: TransportFactory = (options) => new NativeTransportImpl(options);
