import { createHash } from 'node:crypto';

/**
 * Ids derived from the call that spawns or steers a child, so the call re-run after a crash names
 * the same child session and the same submission (both idempotent at the child).
 */
function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex');
}

export interface CallIds {
  sessionId: string;
  runId: string;
  batchId: string;
  callId: string;
}

/** `<parent>.<12 hex>`: visibly the parent's child, unique per spawning call. */
export function childSessionIdOf(call: CallIds): string {
  return `${call.sessionId}.${digest([call.runId, call.batchId, call.callId]).slice(0, 12)}`;
}

/** The submission id of the child run a call starts (spawn or send). */
export function childSubmissionIdOf(call: CallIds): string {
  return `agent_${digest([call.sessionId, call.runId, call.batchId, call.callId]).slice(0, 24)}`;
}
