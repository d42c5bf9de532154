import type { GenerationFailure } from '@lightspeed/engine';

/**
 * How transient effect failures are retried: exponential backoff with full jitter, honouring a
 * provider's Retry-After, bounded by attempts and by total time. After that the failure becomes a
 * clean failed turn (the engine fails the run with the provider's typed error).
 */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  multiplier: number;
  /** Total time budget across attempts, including waits. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  initialDelayMs: 500,
  maxDelayMs: 30_000,
  multiplier: 2,
  maxTotalMs: 120_000,
};

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1), or undefined when the failure must not
 * be retried. `random` is injected so tests are deterministic.
 */
export function retryDelay(
  attempt: number,
  failure: GenerationFailure,
  elapsedMs: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (!failure.retryable || attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (attempt - 1));
  const jittered = Math.round(backoff / 2 + random() * (backoff / 2));
  // Retry-After is a floor: retrying earlier only earns another 429.
  const delay = Math.max(jittered, failure.retryAfterMs ?? 0);
  if (elapsedMs + delay > policy.maxTotalMs) return undefined;
  return delay;
}
