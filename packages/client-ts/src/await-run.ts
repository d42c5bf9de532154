import { kindError, TimeoutError } from './errors.js';
import type { RunStatus, RunView } from './generated/wire-types.js';
import type { LightspeedClient } from './client.js';

const TERMINAL_STATUSES: ReadonlySet<RunStatus> = new Set(['completed', 'failed', 'cancelled']);
const TERMINAL_EVENTS: ReadonlySet<string> = new Set(['runCompleted', 'runFailed', 'runCancelled']);

export interface AwaitRunOptions {
  /** Give up after this many ms with a `TimeoutError` (the run goes on). Default: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.has(status);
}

/**
 * Resolves with the run's view once it completed, failed or was cancelled. Subscribes to the live
 * stream first and then reads the run, so a run that ends between the two is still seen; the
 * view comes from `session/read` (stream events carry only previews).
 */
export async function awaitRun(client: LightspeedClient, sessionId: string, runId: string, options: AwaitRunOptions = {}): Promise<RunView> {
  const operation = `awaiting run ${runId}`;
  const timer = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, timer.signal]) : timer.signal;
  const handle = options.timeoutMs !== undefined && options.timeoutMs > 0 ? setTimeout(() => timer.abort(new TimeoutError(operation, options.timeoutMs!)), options.timeoutMs) : undefined;
  const rethrow = (error: unknown): never => {
    throw timer.signal.aborted && !options.signal?.aborted ? timer.signal.reason : error;
  };
  try {
    const after = await client.headCursor(sessionId, { signal }).catch(rethrow);
    const follower = await client.follow(sessionId, { after, signal }).catch(rethrow);
    try {
      const read = async (): Promise<RunView | undefined> => {
        const { session } = await client.session.read({ sessionId }, { signal }).catch(rethrow);
        const run = session.runs?.find((candidate) => candidate.id === runId);
        if (!run) throw kindError(operation, 'not_found', `session ${sessionId} has no run ${runId}`);
        return isTerminal(run.status) ? run : undefined;
      };
      const ended = await read();
      if (ended) return ended;
      try {
        for await (const message of follower) {
          if (message.event !== 'event') continue;
          const kind = message.data.kind as { type: string; runId?: string };
          if (TERMINAL_EVENTS.has(kind.type) && kind.runId === runId) break;
        }
      } catch (error) {
        rethrow(error);
      }
      if (signal.aborted) rethrow(signal.reason);
      const run = await read();
      if (!run) throw new Error(`run ${runId} ended on the stream but session/read does not show it ended`);
      return run;
    } finally {
      follower.close();
    }
  } finally {
    if (handle) clearTimeout(handle);
  }
}
