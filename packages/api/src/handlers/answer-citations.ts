import { getJson, getText } from '@lightspeed/cas';
import type { AgentHost, SessionRef } from '@lightspeed/driver';
import { findRun, type BlobRef, type RunState } from '@lightspeed/engine';
import { citableIds, citationMarks, MEMORY_TOOL_NAMES, parseMemoryId, withoutCitations } from '@lightspeed/tools';
import { notFound } from '../rpc/api-error.js';

/*
 * A memory answer's citations, checked against the run's durable log: an id is citable only if a
 * memory tool call of that run finished with a result showing it. Nothing is taken from the
 * process's memory of the run, so a server restarted mid-run (or another server on the same store)
 * verifies the same way.
 */

export interface VerifiedAnswer {
  sessionId: string;
  runId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  answer: string;
  citations: { id: string; kind: 'event' | 'entity'; callIds: string[] }[];
  droppedCitations: { id: string; reason: 'not_retrieved' | 'not_found' }[];
  grounded: boolean;
  error: string | null;
}

const MEMORY_TOOLS = new Set<string>(MEMORY_TOOL_NAMES);
const PAGE = 500;

/** Each id the run's memory tool results showed, with the calls that showed it (from the log). */
export async function retrievedIds(host: Pick<AgentHost, 'readEvents' | 'blobs'>, ref: SessionRef, runId: string): Promise<Map<string, string[]>> {
  const names = new Map<string, string>();
  const retrieved = new Map<string, string[]>();
  const blobs = host.blobs(ref.universe);
  for (let after = 0; ; ) {
    const entries = await host.readEvents(ref, { after, limit: PAGE });
    for (const entry of entries) {
      if (entry.kind === 'tool.batch_started' && entry.data.runId === runId) {
        for (const call of entry.data.calls) names.set(call.callId, call.name);
      } else if (entry.kind === 'tool.call_finished' && entry.data.runId === runId && entry.data.status === 'succeeded' && MEMORY_TOOLS.has(names.get(entry.data.callId) ?? '')) {
        for (const id of citableIds(await getJson(blobs, entry.data.resultRef))) {
          const calls = retrieved.get(id) ?? [];
          if (!calls.includes(entry.data.callId)) calls.push(entry.data.callId);
          retrieved.set(id, calls);
        }
      }
    }
    if (entries.length < PAGE) return retrieved;
    after = entries[entries.length - 1]!.seq;
  }
}

function publicStatus(run: RunState): VerifiedAnswer['status'] {
  return run.status === 'cancelling' ? 'running' : run.status;
}

/**
 * The run's answer with its citations verified. `exists` says whether an id names something of the
 * universe (to tell a fabricated id from a real one the run never retrieved).
 */
export async function verifyAnswer(host: Pick<AgentHost, 'state' | 'readEvents' | 'blobs'>, ref: SessionRef, runId: string, exists: (id: string) => Promise<boolean>): Promise<VerifiedAnswer> {
  const state = await host.state(ref);
  const run = state ? findRun(state, runId) : undefined;
  if (!run) throw notFound(`run ${runId} of session ${ref.sessionId} does not exist`);
  const base = { sessionId: ref.sessionId, runId, status: publicStatus(run) };
  if (run.status !== 'completed') {
    const error = run.failure?.message ?? run.cancelReason ?? (run.status === 'cancelled' ? 'the run was cancelled' : null);
    return { ...base, answer: '', citations: [], droppedCitations: [], grounded: false, error };
  }
  const text = run.outputRef ? await getText(host.blobs(ref.universe), run.outputRef as BlobRef) : '';
  const retrieved = await retrievedIds(host, ref, runId);
  const citations: VerifiedAnswer['citations'] = [];
  const dropped: VerifiedAnswer['droppedCitations'] = [];
  const seen = new Set<string>();
  for (const { id } of citationMarks(text)) {
    if (seen.has(id)) continue;
    seen.add(id);
    const calls = retrieved.get(id);
    if (calls) citations.push({ id, kind: parseMemoryId(id)!.kind, callIds: calls });
    else dropped.push({ id, reason: (await exists(id)) ? 'not_retrieved' : 'not_found' });
  }
  return { ...base, answer: withoutCitations(text, (id) => retrieved.has(id)).trim(), citations, droppedCitations: dropped, grounded: citations.length > 0, error: null };
}

/** Waits until the run has ended or `waitMs` passed (watching the log's head). */
export async function awaitRun(host: Pick<AgentHost, 'state' | 'waitForEvents'>, ref: SessionRef, runId: string, waitMs: number, signal?: AbortSignal): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const state = await host.state(ref);
    const run = state ? findRun(state, runId) : undefined;
    if (!state || !run || ['completed', 'failed', 'cancelled'].includes(run.status)) return;
    const left = deadline - Date.now();
    if (left <= 0 || signal?.aborted) return;
    await host.waitForEvents(ref, state.head, left, signal);
  }
}
