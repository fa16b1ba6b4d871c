/**
 * Picks a transport implementation. The native one is imported only when asked for, so that a
 * process on the (default) wire transport never loads the `zookeeper` binding's C code.
 */
import type { TransportFactory } from './types.js';

export type TransportChoice = 'wire' | 'native' | TransportFactory;

export async function resolveTransport(
  choice: TransportChoice = 'wire',
): Promise<TransportFactory> {
  if (typeof choice === 'function') return choice;
  if (choice === 'native') return (await import('./native/index.js')).nativeTransport;
  return (await import('./wire/index.js')).wireTransport;
}

export * from './types.js';
