import { z } from 'zod';
import { cappedArray, MAX_CONTEXT_APPEND_ENTRIES, MAX_CONTEXT_KEYS, SPLIT } from './limits.js';
import { InputItem } from './input.js';
import { named, uint } from './registry.js';

export const ToolItemStatus = named('ToolItemStatus', z.enum(['requested', 'running', 'succeeded', 'failed', 'cancelled', 'unavailable']));
export const ToolCallDisplayView = named(
  'ToolCallDisplayView',
  z.object({
    group: z.enum(['explore', 'edit', 'execute', 'other']),
    verb: z.string(),
    target: z.string().nullish(),
    detail: z.string().nullish(),
  }),
);

export const ContextEntryKindView = named(
  'ContextEntryKindView',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('message'), role: z.enum(['user', 'assistant']) }),
    z.object({ type: z.literal('instructions') }),
    z.object({ type: z.literal('vfsCatalog') }),
    z.object({ type: z.literal('skillCatalog') }),
    z.object({ type: z.literal('skillActivation'), catalogId: z.string(), skillId: z.string() }),
    z.object({ type: z.literal('toolCall'), callId: z.string(), name: z.string() }),
    z.object({ type: z.literal('toolResult'), callId: z.string(), isError: z.boolean() }),
    z.object({ type: z.literal('reasoningState') }),
    z.object({ type: z.literal('providerOpaque') }),
  ]),
);
export type ContextEntryKindView = z.infer<typeof ContextEntryKindView>;

export const ContextEntrySourceView = named(
  'ContextEntrySourceView',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('contextEdit') }),
    z.object({ type: z.literal('runInput'), runId: z.string(), inputIndex: uint() }),
    z.object({ type: z.literal('steering'), runId: z.string(), steeringId: z.string(), inputIndex: uint() }),
    z.object({ type: z.literal('assistantOutput'), runId: z.string(), turnId: z.string() }),
    z.object({ type: z.literal('tool'), runId: z.string(), turnId: z.string(), batchId: z.string().nullish() }),
    z.object({ type: z.literal('reasoning'), runId: z.string(), turnId: z.string() }),
    z.object({ type: z.literal('runtime'), label: z.string() }),
  ]),
);
export type ContextEntrySourceView = z.infer<typeof ContextEntrySourceView>;

export const TokenEstimateView = named(
  'TokenEstimateView',
  z.object({ tokens: uint(), quality: z.enum(['exact', 'providerCounted', 'estimated']) }),
);

export const ProviderContextDisplayView = named(
  'ProviderContextDisplayView',
  z.object({
    summary: ToolCallDisplayView,
    toolName: z.string(),
    status: ToolItemStatus,
    arguments: z.string().nullish(),
    output: z.string().nullish(),
    error: z.string().nullish(),
    isError: z.boolean().default(false),
  }),
);

export const ContextEntryView = named(
  'ContextEntryView',
  z.object({
    id: z.string(),
    key: z.string().nullish(),
    kind: ContextEntryKindView,
    contentRef: z.string(),
    mediaType: z.string().nullish(),
    preview: z.string().nullish(),
    text: z.string().nullish(),
    providerItemId: z.string().nullish(),
    providerKind: z.string().nullish(),
    source: ContextEntrySourceView.nullish(),
    tokenEstimate: TokenEstimateView.nullish(),
    display: ProviderContextDisplayView.nullish(),
  }),
  'A session context entry: keyed, kind-tagged, ref-backed; `text` inlines message and tool bodies.',
);
export type ContextEntryView = z.infer<typeof ContextEntryView>;

export const ContextEntryInputView = named(
  'ContextEntryInputView',
  z.object({
    kind: ContextEntryKindView,
    contentRef: z.string(),
    mediaType: z.string().nullish(),
    preview: z.string().nullish(),
    providerItemId: z.string().nullish(),
    providerKind: z.string().nullish(),
    tokenEstimate: TokenEstimateView.nullish(),
  }),
);
export type ContextEntryInputView = z.infer<typeof ContextEntryInputView>;

export const ContextView = named('ContextView', z.object({ revision: uint(), entries: z.array(ContextEntryView).default([]) }));

export const ContextAppendEntry = named('ContextAppendEntry', z.object({ key: z.string().min(1), item: InputItem }));
export const ContextAppendParams = named(
  'ContextAppendParams',
  z.object({ sessionId: z.string(), entries: cappedArray(ContextAppendEntry, MAX_CONTEXT_APPEND_ENTRIES, SPLIT) }),
);
export const InputAdmissionFailureView = named(
  'InputAdmissionFailureView',
  z.object({
    kind: z.enum([
      'unsupportedMedia',
      'unsupportedAudioMime',
      'blobMissing',
      'blobTooLarge',
      'audioDurationTooLong',
      'transcoderUnavailable',
      'transcodeFailure',
      'transcriptionFailure',
      'admissionRejected',
    ]),
    message: z.string(),
  }),
);
export type InputAdmissionFailureView = z.infer<typeof InputAdmissionFailureView>;
export const ContextAppendResult = named(
  'ContextAppendResult',
  z.object({
    key: z.string(),
    status: z.enum(['applied', 'unchanged', 'failed']),
    entry: ContextEntryInputView.nullish(),
    failure: InputAdmissionFailureView.nullish(),
    activationText: z.string().nullish(),
    activationTextTruncated: z.boolean().optional(),
  }),
);
export type ContextAppendResult = z.infer<typeof ContextAppendResult>;
export const ContextAppendResponse = named(
  'ContextAppendResponse',
  z.object({ contextRevision: uint(), results: z.array(ContextAppendResult) }),
);

export const ContextRemoveParams = named('ContextRemoveParams', z.object({ sessionId: z.string(), keys: cappedArray(z.string(), MAX_CONTEXT_KEYS, SPLIT) }));
export const ContextRemoveResult = named(
  'ContextRemoveResult',
  z.object({ key: z.string(), status: z.enum(['removed', 'absent', 'failed']), failure: InputAdmissionFailureView.nullish() }),
);
export type ContextRemoveResult = z.infer<typeof ContextRemoveResult>;
export const ContextRemoveResponse = named(
  'ContextRemoveResponse',
  z.object({ contextRevision: uint(), results: z.array(ContextRemoveResult) }),
);

export const ContextCompactParams = named('ContextCompactParams', z.object({ sessionId: z.string() }));
