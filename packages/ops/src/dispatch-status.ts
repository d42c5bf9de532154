import type { Clock, DispatchControls, DispatcherRecord, DispatchPause, TaskCounts, TaskQueue } from '@lightspeed/ports';
import { DEFAULT_HEARTBEAT_MS } from './dispatcher.js';

/** The health of dispatch in one universe (`dispatch/status`, `lightspeed dispatch status`). */
export interface DispatchStatus {
  /** Queue depth by state, expired leases and pending cancels. */
  counts: TaskCounts;
  /** How long the longest-waiting claimable task has waited (absent when none waits). */
  oldestQueuedAgeMs?: number;
  pauses: DispatchPause[];
  /** Dispatchers whose heartbeat is at most three intervals old. */
  dispatchers: DispatcherRecord[];
  /** The most recent error any live dispatcher reported. */
  lastError?: { dispatcher: string; message: string; at: number };
}

/** A dispatcher is counted alive while its last heartbeat is at most this old. */
export const DISPATCHER_ALIVE_MS = 3 * DEFAULT_HEARTBEAT_MS;

export async function dispatchStatus(queue: TaskQueue, controls: DispatchControls, clock: Clock, aliveWithinMs = DISPATCHER_ALIVE_MS): Promise<DispatchStatus> {
  const [counts, pauses, dispatchers] = await Promise.all([queue.counts(), controls.pauses(), controls.dispatchers(aliveWithinMs)]);
  let lastError: DispatchStatus['lastError'];
  for (const dispatcher of dispatchers) {
    const error = dispatcher.lastError;
    if (error && (!lastError || error.at > lastError.at)) lastError = { dispatcher: dispatcher.id, ...error };
  }
  return {
    counts,
    ...(counts.oldestQueuedAt !== undefined ? { oldestQueuedAgeMs: Math.max(0, clock.now() - counts.oldestQueuedAt) } : {}),
    pauses,
    dispatchers,
    ...(lastError ? { lastError } : {}),
  };
}
