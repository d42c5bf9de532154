import type { RunState, SessionState, ToolBatchState, ToolCallState } from '@lightspeed/engine';
import type { ToolBatchView, ToolCallView, RunView } from '../schemas/runs.js';
import { contextEntryView, inputItemView } from './context-entry-view.js';
import { usageView } from './usage-view.js';

type ToolItemStatus = ToolCallView['status'];

export function toolCallView(call: ToolCallState): ToolCallView {
  const view: ToolCallView = {
    callId: call.callId,
    toolName: call.name,
    argumentsRef: call.argumentsRef,
    status: call.status as ToolItemStatus,
    isError: call.isError,
  };
  if (call.preview !== undefined) view.output = call.preview;
  if (call.effects !== undefined) view.effects = call.effects.map((effect) => (effect.data === undefined ? { kind: effect.kind } : { kind: effect.kind, data: effect.data }));
  return view;
}

function batchStatus(batch: ToolBatchState): ToolItemStatus {
  if (batch.status === 'open') return 'running';
  if (batch.status === 'cancelled') return 'cancelled';
  return batch.calls.some((call) => call.isError) ? 'failed' : 'succeeded';
}

export function toolBatchView(batch: ToolBatchState): ToolBatchView {
  return { id: batch.batchId, turnId: batch.turnId, status: batchStatus(batch), calls: batch.calls.map(toolCallView) };
}

/**
 * A run as the contract shows it. `entries` are the run's entries still in the active context
 * (input, steering, outputs, tool results); compaction may have folded older ones away.
 */
export function runView(run: RunState, state: SessionState): RunView {
  return {
    id: run.runId,
    status: run.status,
    source: run.source.type === 'input' ? { type: 'input', items: run.source.items.map(inputItemView) } : { type: 'context', keys: [...run.source.keys] },
    entries: state.context.entries.filter((entry) => entry.source !== undefined && 'runId' in entry.source && entry.source.runId === run.runId).map(contextEntryView),
    toolBatches: run.batches.map(toolBatchView),
    usage: usageView(run.usage, state),
    ...(run.failure ? { failure: { ...run.failure } } : {}),
  };
}

/** Every run the state still holds (retained terminal runs, then live ones), oldest first. */
export function allRuns(state: SessionState): RunState[] {
  const live = Object.values(state.runs).sort((a, b) => runNumber(a.runId) - runNumber(b.runId));
  return [...state.recentRuns, ...live];
}

function runNumber(runId: string): number {
  const n = Number(runId.slice(runId.lastIndexOf('_') + 1));
  return Number.isFinite(n) ? n : 0;
}
