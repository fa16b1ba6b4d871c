/**
 * The wire transport: a ZooKeeper client in TypeScript over `node:net` / `node:tls`, the
 * default Transport of zookeeper-recipes.
 */
import type { TransportFactory } from '../types.js';
import { WireTransport } from './wire-transport.js';

export { DEFAULT_MAX_FRAME_BYTES } from './frames.js';
export { WireTransport } from './wire-transport.js';

export const wireTransport: TransportFactory = (options) => new WireTransport(options);
