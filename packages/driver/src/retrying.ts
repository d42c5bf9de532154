import type { GenerationFailure, Usage } from '@lightspeed/engine';
import { ProviderError } from '@lightspeed/ports';
import { EffectAborted, failureOf, isAbort } from './failure.js';
import type { DriverPorts } from './ports.js';
import { retryDelay } from './retry-policy.js';
import { abortableSleep } from './sleep.js';

/** One attempt's outcome. A failure carries the usage the provider reported before failing. */
export type Attempt<T> = { ok: true; value: T } | { ok: false; failure: GenerationFailure; usage?: Usage };

/** The outcome of the last attempt plus the usage of the earlier, failed attempts that reported one. */
export type Retried<T> = Attempt<T> & { retriedUsage: Usage[] };

/** Runs one attempt of an effect, classifying a throw; an abort propagates as EffectAborted. */
export async function attempt<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    if (isAbort(error, signal)) throw new EffectAborted();
    const failed: Attempt<T> = { ok: false, failure: failureOf(error) };
    if (error instanceof ProviderError && error.usage !== undefined) failed.usage = error.usage;
    return failed;
  }
}

/**
 * Retries an effect under the driver's policy (embedded host). Durable engines may instead run
 * single attempts and let their own retry machinery schedule the next one with `retryDelay`.
 * The usage of failed attempts is kept, not dropped: those tokens were billed, so the result
 * admitted to the engine carries them and the run and session totals count them.
 */
export async function withRetries<T>(
  ports: Pick<DriverPorts, 'clock' | 'retry' | 'sleep' | 'random'>,
  fn: () => Promise<T>,
  signal?: AbortSignal,
  onRetry?: (failure: GenerationFailure, attemptNumber: number, delayMs: number) => void,
): Promise<Retried<T>> {
  const started = ports.clock.now();
  const sleep = ports.sleep ?? abortableSleep;
  const retriedUsage: Usage[] = [];
  for (let n = 1; ; n++) {
    const result = await attempt(fn, signal);
    if (result.ok) return { ...result, retriedUsage };
    const delay = retryDelay(n, result.failure, ports.clock.now() - started, ports.retry, ports.random);
    if (delay === undefined) return { ...result, retriedUsage };
    if (result.usage) retriedUsage.push(result.usage);
    onRetry?.(result.failure, n, delay);
    await sleep(delay, signal);
  }
}
