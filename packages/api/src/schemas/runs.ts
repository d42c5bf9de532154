import { z } from 'zod';
import { cappedArray, MAX_CONTEXT_KEYS, MAX_INPUT_ITEMS } from './limits.js';
import { RunStartConfig } from './config.js';
import { ContextEntryView, ToolCallDisplayView, ToolItemStatus } from './context.js';
import { InputItem } from './input.js';
import { named, uint } from './registry.js';

export const RunStatus = named('RunStatus', z.enum(['queued', 'running', 'cancelling', 'completed', 'failed', 'cancelled']));
export type RunStatus = z.infer<typeof RunStatus>;

export const RunViewSource = named(
  'RunViewSource',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('input'), items: z.array(InputItem) }),
    z.object({ type: z.literal('context'), keys: z.array(z.string()) }),
  ]),
);
export const RunStartSource = named(
  'RunStartSource',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('input'), items: cappedArray(InputItem, MAX_INPUT_ITEMS).min(1) }),
    z.object({ type: z.literal('context'), keys: cappedArray(z.string(), MAX_CONTEXT_KEYS).min(1) }),
  ]),
);
export type RunStartSource = z.infer<typeof RunStartSource>;

export const ToolEffectView = named('ToolEffectView', z.object({ kind: z.string(), data: z.record(z.string(), z.string()).optional() }));
export const ToolCallView = named(
  'ToolCallView',
  z.object({
    callId: z.string(),
    toolName: z.string(),
    argumentsRef: z.string(),
    arguments: z.string().nullish(),
    status: ToolItemStatus,
    isError: z.boolean().default(false),
    output: z.string().nullish(),
    display: ToolCallDisplayView.nullish(),
    effects: z.array(ToolEffectView).optional(),
  }),
);
export type ToolCallView = z.infer<typeof ToolCallView>;
export const ToolBatchView = named(
  'ToolBatchView',
  z.object({ id: z.string(), turnId: z.string(), status: ToolItemStatus, calls: z.array(ToolCallView).default([]) }),
);
export type ToolBatchView = z.infer<typeof ToolBatchView>;

export const UsageView = named(
  'UsageView',
  z.object({
    inputTokens: uint().describe('Input tokens not read from or written to the prompt cache.'),
    cachedInputTokens: uint().describe('Input tokens read from the prompt cache.'),
    cacheWriteTokens: uint().describe('Input tokens written to the prompt cache.'),
    outputTokens: uint().describe('Output tokens, reasoning included.'),
    reasoningTokens: uint().describe('Of the output tokens, those spent reasoning (when the provider reports them).'),
    calls: uint().describe('Provider calls counted: generations, retried or failed attempts that reported usage, compactions.'),
    costUsd: z.number().min(0).nullable().describe('Cost at the session prices; null when unknown (a model without prices), never 0 for "unknown".'),
  }),
  'Lightspeed extension: token usage and cost summed over every provider call, retried and failed attempts and compactions included.',
);
export type UsageView = z.infer<typeof UsageView>;

export const RunFailureView = named(
  'RunFailureView',
  z.object({
    code: z.enum(['provider_error', 'limit_exceeded', 'context_length', 'compaction_failed', 'refused']),
    message: z.string(),
    explanationRef: z.string().optional().describe("refused: the model's refusal text (the provider's explanation) in CAS; the message holds its preview."),
    errorClass: z.string().optional().describe('provider_error: the classified provider failure.'),
    limit: z.enum(['max_turns', 'max_tool_rounds', 'output_tokens', 'token_budget', 'cost_budget']).optional().describe('limit_exceeded: which limit stopped the run.'),
    scope: z.enum(['run', 'session']).optional().describe('limit_exceeded: the run limit or the session-wide budget.'),
    max: z.number().optional().describe('limit_exceeded: the configured limit.'),
    used: z.number().nullable().optional().describe('limit_exceeded: what was used when the run stopped (null: an unknown cost).'),
  }),
  'Lightspeed extension: why a failed run failed.',
);

export const RunView = named(
  'RunView',
  z.object({
    id: z.string(),
    status: RunStatus,
    source: RunViewSource,
    entries: z.array(ContextEntryView).default([]),
    toolBatches: z.array(ToolBatchView).optional(),
    usage: UsageView.optional().describe('Lightspeed extension: what this run consumed.'),
    failure: RunFailureView.optional().describe('Lightspeed extension: set on failed runs.'),
  }),
);
export type RunView = z.infer<typeof RunView>;

export const RunTerminalNotificationInput = named('RunTerminalNotificationInput', z.strictObject({ token: z.string() }));

export const RunStartParams = named(
  'RunStartParams',
  z.object({
    sessionId: z.string(),
    source: RunStartSource,
    config: RunStartConfig.nullish(),
    submissionId: z.string().min(1).nullish(),
    notifyOnTerminal: RunTerminalNotificationInput.nullish(),
  }),
);
export const RunStartResponse = named('RunStartResponse', z.object({ run: RunView }));

export const RunCancelParams = named('RunCancelParams', z.object({ sessionId: z.string(), runId: z.string() }));
export const RunCancelResponse = named('RunCancelResponse', z.object({ run: RunView }));

export const RunSteerParams = named(
  'RunSteerParams',
  z.object({ sessionId: z.string(), runId: z.string(), items: cappedArray(InputItem, MAX_INPUT_ITEMS).min(1) }),
);
export const RunSteerResponse = named('RunSteerResponse', z.object({ steeringId: z.string(), run: RunView }));
