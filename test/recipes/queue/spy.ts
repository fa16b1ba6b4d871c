/**
 * A wire transport that counts getChildren calls per path and can lose the reply of a `multi`
 * that the server applied (the connection drops after the request reached it).
 */
import { ConnectionLossError } from '../../../src/session/errors.js';
import { resolveTransport } from '../../../src/session/transport/index.js';
import type { TransportFactory } from '../../../src/session/transport/types.js';

export interface QueueSpy {
  factory: TransportFactory;
  /** getChildren calls by server path. */
  listings: Map<string, number>;
  /** Set to lose the reply of the next `multi` whose first op creates under this path. */
  loseMultiReplyUnder?: string;
  lostReplies: number;
  /** Runs when a reply is lost, before the caller hears ConnectionLossError (e.g. drop the server). */
  onLostReply?: () => Promise<void>;
}

export async function queueSpy(): Promise<QueueSpy> {
  const real = await resolveTransport('wire');
  const spy: QueueSpy = {
    listings: new Map(),
    lostReplies: 0,
    factory: (options) => {
      const transport = real(options);
      return new Proxy(transport, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          if (prop === 'getChildren')
            return (path: string, ...rest: unknown[]) => {
              spy.listings.set(path, (spy.listings.get(path) ?? 0) + 1);
              return value.call(target, path, ...rest);
            };
          if (prop === 'multi')
            return async (ops: { op: string; path: string }[]) => {
              const results = await value.call(target, ops);
              const under = spy.loseMultiReplyUnder;
              if (under !== undefined && ops[0]?.op === 'create' && ops[0].path.startsWith(under)) {
                spy.loseMultiReplyUnder = undefined;
                spy.lostReplies += 1;
                await spy.onLostReply?.();
                throw new ConnectionLossError(ops[0].path); // applied; the reply never came
              }
              return results;
            };
          return value.bind(target);
        },
      });
    },
  };
  return spy;
}
