import { LightspeedError, type BackoffPolicy } from '@lightspeed/ports';

/** Checks a (partial) policy at enqueue and fills the defaults; a bad field is named. */
export function backoffPolicy(input: Partial<BackoffPolicy> | undefined, defaults: BackoffPolicy): BackoffPolicy {
  const policy = { ...defaults, ...(input ?? {}) };
  const known = new Set(Object.keys(defaults));
  for (const field of Object.keys(input ?? {})) {
    if (!known.has(field)) throw new LightspeedError('invalid', `backoff.${field} is not a backoff setting; use initialDelayMs, multiplier, maxDelayMs, jitter`, { field: `backoff.${field}` });
  }
  const check = (field: keyof BackoffPolicy, ok: boolean, rule: string) => {
    if (!ok) throw new LightspeedError('invalid', `backoff.${field} must be ${rule}`, { field: `backoff.${field}` });
  };
  check('initialDelayMs', Number.isSafeInteger(policy.initialDelayMs) && policy.initialDelayMs >= 0, 'a whole number of ms ≥ 0');
  check('multiplier', Number.isFinite(policy.multiplier) && policy.multiplier >= 1 && policy.multiplier <= 100, 'a number from 1 to 100');
  check('maxDelayMs', Number.isSafeInteger(policy.maxDelayMs) && policy.maxDelayMs >= policy.initialDelayMs, 'a whole number of ms ≥ initialDelayMs');
  check('jitter', Number.isFinite(policy.jitter) && policy.jitter >= 0 && policy.jitter <= 1, 'a fraction from 0 to 1');
  return policy;
}

/**
 * The wait before the attempt after failed attempt `attempt` (1-based): exponential, capped, reduced
 * by up to `jitter` of itself so a burst of failures does not retry in lockstep. A provider's
 * Retry-After is a floor (it knows better than our curve), and the cap bounds both.
 */
export function retryDelayMs(policy: BackoffPolicy, attempt: number, random: number, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential * (1 - policy.jitter * random));
  return Math.min(policy.maxDelayMs, Math.max(jittered, retryAfterMs ?? 0));
}
