/**
 * Wraps a real transport factory to observe what the Session does with the transports it gets:
 * which were made, and every call sent to each after it was replaced. Optionally intercepts a
 * create to simulate a reply lost with the connection.
 */
import { resolveTransport, type TransportChoice } from '../../src/session/transport/index.js';
import type { Transport, TransportFactory } from '../../src/session/transport/types.js';

export interface SpiedTransport {
  transport: Transport;
  /** Calls made on this transport, by op name. */
  calls: string[];
}

export interface Spy {
  factory: TransportFactory;
  made: SpiedTransport[];
  /** Runs after a create on the server succeeded; throw to make the caller see that error instead. */
  afterCreate?: (path: string) => Promise<void>;
}

export async function spyTransport(choice: TransportChoice): Promise<Spy> {
  const real = await resolveTransport(choice);
  const spy: Spy = {
    made: [],
    factory: (options) => {
      const transport = real(options);
      const entry: SpiedTransport = { transport, calls: [] };
      spy.made.push(entry);
      return new Proxy(transport, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function' || prop === 'onState')
            return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: unknown[]) => {
            entry.calls.push(String(prop));
            const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(
              target,
              args,
            );
            if (prop === 'create' && spy.afterCreate) await spy.afterCreate(args[0] as string);
            return result;
          };
        },
      });
    },
  };
  return spy;
}
