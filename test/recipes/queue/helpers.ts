/** Helpers for the queue integration tests: sessions, the anchors' LCG, and an order checker. */
import { Session, type SessionOptions } from '../../../src/session/session.js';

export { eventually } from '../../support/transports.js';

export function connect(connectString: string, extra: Partial<SessionOptions> = {}) {
  return Session.connect({ connectString, sessionTimeoutMs: 3_000, ...extra });
}

/** The anchors' priorities: x = (x*1103515245 + 12345) mod 2^31; prio = (x >> 16) % 100. */
export function lcgPriorities(count: number, seed = 42): number[] {
  let x = BigInt(seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245n + 12345n) % 2n ** 31n;
    out.push(Number(x >> 16n) % 100);
  }
  return out;
}

export interface Timeline {
  priority: number;
  /** When `put` resolved (the item was stored and acknowledged). */
  putAt: number;
  /** When a consumer received it. */
  deliveredAt: number;
}

/**
 * The anchors' `order_inversions_100ms`: deliveries of X at time t while some Y with a strictly
 * better (lower) priority had been put and acknowledged at least `marginMs` before t and was
 * not yet delivered at t.
 */
export function lateInversions(items: readonly Timeline[], marginMs = 100): number {
  const byDelivery = [...items].sort((a, b) => a.deliveredAt - b.deliveredAt);
  let count = 0;
  for (const x of byDelivery) {
    const t = x.deliveredAt;
    if (items.some((y) => y.priority < x.priority && y.putAt <= t - marginMs && y.deliveredAt > t))
      count += 1;
  }
  return count;
}
