/**
 * One retry policy for the whole library: bounded exponential backoff with full jitter
 * (a random delay in [0, min(maxDelay, base * 2^attempt)]), so that many clients that lost the
 * same server do not come back in lock step.
 */
import { InvalidArgumentError } from './errors.js';

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number;
  /** Backoff ceiling of the first retry. */
  baseDelayMs: number;
  /** Backoff ceiling of any retry. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: Readonly<RetryPolicy> = {
  maxRetries: 6,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
};

export function resolveRetryPolicy(retry: Partial<RetryPolicy> | false | undefined): RetryPolicy {
  if (retry === false) return { ...DEFAULT_RETRY, maxRetries: 0 };
  const policy = { ...DEFAULT_RETRY, ...retry };
  for (const [key, value] of Object.entries(policy)) {
    if (!Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError(
        `retry.${key}`,
        `expected a non-negative integer, got ${String(value)}`,
      );
    }
  }
  return policy;
}

/** The jittered delay before retry number `attempt` (0-based). */
export function backoffDelay(
  policy: RetryPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}
