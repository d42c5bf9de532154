import type { GenerationFailure } from '@lightspeed/engine';
import { EffectAborted, failureOf, isAbort } from './failure.js';
import type { DriverPorts } from './ports.js';
import { retryDelay } from './retry-policy.js';
import { abortableSleep } from './sleep.js';

export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: GenerationFailure };

/** Runs one attempt of an effect, classifying a throw; an abort propagates as EffectAborted. */
export async function attempt<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (isAbort(error, signal)) throw new EffectAborted();
    return { ok: false, failure: failureOf(error) };
  }
}

/**
 * Retries an effect under the driver's policy (embedded host). Durable engines may instead run
 * single attempts and let their own retry machinery schedule the next one with `retryDelay`.
 */
export async function withRetries<T>(
  ports: Pick<DriverPorts, 'clock' | 'retry' | 'sleep' | 'random'>,
  fn: () => Promise<T>,
  signal?: AbortSignal,
  onRetry?: (failure: GenerationFailure, attemptNumber: number, delayMs: number) => void,
): Promise<Attempt<T>> {
  const started = ports.clock.now();
  const sleep = ports.sleep ?? abortableSleep;
  for (let n = 1; ; n++) {
    const result = await attempt(fn, signal);
    if (result.ok) return result;
    const delay = retryDelay(n, result.failure, ports.clock.now() - started, ports.retry, ports.random);
    if (delay === undefined) return result;
    onRetry?.(result.failure, n, delay);
    await sleep(delay, signal);
  }
}
