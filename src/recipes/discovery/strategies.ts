/**
 * How `ServiceLocator.getInstance()` picks one of the instances it holds (Curator's
 * ProviderStrategy). Each pick is O(1) over the locator's current list, which it rebuilds only
 * when the list changes: lookups never copy or filter (Curator's ServiceProvider copies the list
 * on every call, anchors README "discovery").
 */

export const STRATEGIES = ['random', 'roundRobin', 'sticky'] as const;
/**
 * - `random`: uniformly at random.
 * - `roundRobin`: each instance in turn (node-name order).
 * - `sticky`: the same instance for as long as it is listed; then another one, at random.
 */
export type StrategyName = (typeof STRATEGIES)[number];

/** What a strategy picks from: the instances with the names of their znodes. */
export interface Candidate<T> {
  /** The znode name: unique, unlike an id (DYNAMIC_SEQUENTIAL nodes share their instance id). */
  readonly node: string;
  readonly instance: T;
}

export interface Strategy {
  pick<T>(candidates: readonly Candidate<T>[], byNode: ReadonlyMap<string, T>): T | undefined;
}

export function createStrategy(name: StrategyName): Strategy {
  switch (name) {
    case 'random':
      return { pick: (candidates) => randomOf(candidates)?.instance };
    case 'roundRobin': {
      let next = 0;
      return {
        pick(candidates) {
          if (candidates.length === 0) return undefined;
          next = next >= candidates.length ? 0 : next;
          return candidates[next++]?.instance;
        },
      };
    }
    case 'sticky': {
      let stuck: string | undefined;
      return {
        pick(candidates, byNode) {
          const current = stuck === undefined ? undefined : byNode.get(stuck);
          if (current !== undefined) return current;
          const chosen = randomOf(candidates);
          stuck = chosen?.node;
          return chosen?.instance;
        },
      };
    }
    default: {
      const never: never = name;
      throw new Error(`unknown strategy ${String(never)}`);
    }
  }
}

function randomOf<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}
