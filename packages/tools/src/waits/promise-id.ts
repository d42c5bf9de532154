import { createHash } from 'node:crypto';
import type { ToolInvocation } from '@lightspeed/engine';

/**
 * The promise a parked call waits on. Derived from the call's ids (unique in the session), so the
 * tool re-run after a crash names the same promise, and short enough to type in `waits answer`.
 */
export function promiseIdOf(call: Pick<ToolInvocation, 'runId' | 'batchId' | 'callId'>): string {
  return `wait_${createHash('sha256').update(`${call.runId}\n${call.batchId}\n${call.callId}`).digest('hex').slice(0, 20)}`;
}
