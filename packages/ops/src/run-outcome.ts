import { RETRYABLE_ERROR_CLASSES, type LogEntry, type RunState, type Usage } from '@lightspeed/engine';
import type { AttemptReport } from '@lightspeed/ports';

/** How a finished run settles its attempt (before the required-artifact check of a success). */
export type RunSettlement =
  | { kind: 'succeeded' }
  | { kind: 'failed'; errorClass: string; error: string; retryable: boolean; retryAfterMs?: number }
  | { kind: 'blocked'; errorClass: string; reason: string }
  | { kind: 'cancelled' };

/** Usage and cost of the run, as the attempt records them. */
export function runReport(run: RunState): Pick<AttemptReport, 'usage' | 'costUsd'> {
  const { input, cachedInput, cacheWrite, output, reasoning, costUsd } = run.usage;
  const usage: Usage = { input, cachedInput, cacheWrite, output, reasoning };
  return { usage, ...(typeof costUsd === 'number' ? { costUsd } : {}) };
}

/**
 * The Retry-After a provider sent with the failure that ended the run: the last
 * `turn.generation_failed` of the run in the log tail given (the run state keeps only the class).
 */
export function retryAfterOf(events: readonly LogEntry[], runId: string): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const entry = events[i]!;
    if (entry.kind === 'turn.generation_failed' && entry.data.runId === runId) return entry.data.failure.retryAfterMs;
  }
  return undefined;
}

/**
 * The settlement of a terminal run. Provider errors keep their class and retry when transient (a
 * rate limit's Retry-After becomes the next attempt's floor); a refusal means the agent cannot
 * proceed (blocked); exceeded limits, context overflow and failed compaction are not transient.
 */
export function settlementOf(run: RunState, retryAfterMs?: number): RunSettlement {
  if (run.status === 'completed') return { kind: 'succeeded' };
  if (run.status === 'cancelled') return { kind: 'cancelled' };
  const failure = run.failure;
  if (!failure) return { kind: 'failed', errorClass: 'run_failed', error: `run ${run.runId} failed without a recorded reason`, retryable: false };
  switch (failure.code) {
    case 'provider_error': {
      const retryable = RETRYABLE_ERROR_CLASSES.has(failure.errorClass);
      return { kind: 'failed', errorClass: failure.errorClass, error: failure.message, retryable, ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    case 'refused':
      return { kind: 'blocked', errorClass: 'refused', reason: failure.message };
    case 'limit_exceeded':
      return { kind: 'failed', errorClass: `limit_exceeded:${failure.limit}`, error: failure.message, retryable: false };
    default:
      return { kind: 'failed', errorClass: failure.code, error: failure.message, retryable: false };
  }
}
