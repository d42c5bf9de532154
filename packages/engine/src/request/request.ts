import type { CompactionState } from '../context/compaction.js';
import { compactedEntries } from '../context/compaction.js';
import { effectiveModel, effectiveParams } from '../session/config.js';
import { promptOrder } from '../context/context.js';
import type { CompactionRequest, GenerationRequest } from './generation.js';
import { invariant } from '../log/invariant.js';
import { findRun, type SessionState } from '../core/state.js';

/**
 * The request for a turn's generation, re-derived from state (never journaled). Items are in
 * prompt order; cache breakpoints mark the end of the pinned prefix (instructions + catalogs)
 * and the last item, for adapters that place explicit cache markers.
 */
export function generationRequest(state: SessionState, runId: string, turnId: string): GenerationRequest {
  const config = state.config;
  invariant(config !== undefined, 'generationRequest: the session is not open');
  const run = findRun(state, runId);
  invariant(run !== undefined, 'generationRequest: unknown run', { runId });
  const { items, pinned } = promptOrder(state.context.entries);
  const cacheBreakpoints: number[] = [];
  if (pinned > 0) cacheBreakpoints.push(pinned - 1);
  if (items.length > 0 && items.length - 1 !== pinned - 1) cacheBreakpoints.push(items.length - 1);
  return {
    sessionId: state.sessionId,
    runId,
    turnId,
    model: effectiveModel(config, run.config),
    params: effectiveParams(config, run.config),
    items,
    tools: state.tools.tools,
    cacheBreakpoints,
  };
}

/** The request for the pending compaction: the conversation up to its boundary, plus instructions. */
export function compactionRequest(state: SessionState, compactionId: string): CompactionRequest {
  const compaction: CompactionState | undefined = state.compaction;
  invariant(compaction !== undefined && compaction.compactionId === compactionId, 'compactionRequest: not the pending compaction', { compactionId });
  const config = state.config;
  invariant(config !== undefined, 'compactionRequest: the session is not open');
  // The session model, not a run override: the run may end while its compaction is running, and
  // the request (and so its fingerprint) must not change underneath the effect.
  return {
    sessionId: state.sessionId,
    compactionId,
    model: config.model,
    items: compactedEntries(state.context.entries, compaction.upToEntryId),
    instructions: state.context.entries.filter((e) => e.kind.type === 'instructions'),
  };
}
