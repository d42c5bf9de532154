import type { AgentApi } from './agent-api.js';

const TERMINAL_EVENTS = new Set(['runCompleted', 'runFailed', 'runCancelled']);
/** Events read per long-poll page. */
const PAGE = 200;

/** The head of a session's log: where a follower of a run about to start begins. */
export async function headCursor(api: AgentApi, sessionId: string, signal?: AbortSignal): Promise<number> {
  const page = await api.call('session/events/read', { sessionId, after: { seq: Number.MAX_SAFE_INTEGER }, limit: 1 }, signal);
  return page.headCursor?.seq ?? 0;
}

/**
 * Waits until run `runId` of the session reaches a terminal event logged after `after`, or until
 * `timeoutMs` passes: `true` when it ended, `false` on timeout. It long-polls
 * `session/events/read` (the server clamps each poll to its cap), so it works the same in-process
 * and over the wire; the caller reads the outcome from `session/read`.
 */
export async function awaitRunEnd(api: AgentApi, sessionId: string, runId: string, options: { after: number; timeoutMs: number; signal?: AbortSignal }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  let after = options.after;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return false;
    const page = await api.call('session/events/read', { sessionId, after: { seq: after }, limit: PAGE, waitMs: left }, options.signal);
    for (const event of page.events ?? []) {
      if (TERMINAL_EVENTS.has(event.kind.type) && 'runId' in event.kind && event.kind.runId === runId) return true;
    }
    // A gap means the log no longer holds what we missed: the run's status tells whether it ended.
    if (page.gap) return true;
    after = page.nextCursor?.seq ?? after;
  }
}
