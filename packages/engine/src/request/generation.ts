import type { BlobRef } from '../values/digest.js';
import type { ContextEntry } from '../context/context-entry.js';
import type { ModelSelection } from './model.js';
import type { ToolCallFact, ToolDescriptor } from '../run/tool.js';

/** Turn-shaping parameters (session defaults overridden per run). Provider-validated at admission. */
export interface GenerationParams {
  maxOutputTokens?: number;
  reasoningEffort?: string;
  toolChoice?: 'auto' | 'none' | 'required' | { name: string };
  parallelToolUse?: boolean;
  temperature?: number;
  /** Adapter-specific native params, validated by the adapter's schema at admission. */
  native?: Record<string, unknown>;
}

/**
 * The request for one generation, re-derived from state (never journaled). Items are in prompt
 * order: instructions, catalogs, then conversation. `cacheBreakpoints` are indexes into `items`
 * after which adapters that need explicit markers (Anthropic) place a cache breakpoint.
 * Its canonical-JSON digest is the fingerprint carried by `generate` actions.
 */
export interface GenerationRequest {
  sessionId: string;
  runId: string;
  turnId: string;
  model: ModelSelection;
  params: GenerationParams;
  items: ContextEntry[];
  tools: ToolDescriptor[];
  cacheBreakpoints: number[];
}

export type FinishReason = 'stop' | 'tool_calls' | 'length' | 'context_length' | 'content_filter' | 'refusal' | 'other';

/** Token usage of one provider call. All counts are tokens; `input` excludes cached and cache-write. */
export interface Usage {
  input: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
  reasoning: number;
}

export const ZERO_USAGE: Usage = { input: 0, cachedInput: 0, cacheWrite: 0, output: 0, reasoning: 0 };

/** One output item of a generation, stored raw (provider-native) in CAS. */
export interface OutputItemFact {
  /** Becomes the context entry's kind. */
  kind: ContextEntry['kind'];
  contentRef: BlobRef;
  preview?: string;
  providerKind?: string;
  providerItemId?: string;
  mediaType?: string;
}

/** The reducer facts a generation returns. Everything else stays provider-native in CAS. */
export interface GenerationFacts {
  finishReason: FinishReason;
  usage: Usage;
  outputs: OutputItemFact[];
  toolCalls: ToolCallFact[];
  responseId?: string;
}

/** Classified provider errors; transient ones are retryable. */
export type ProviderErrorClass =
  | 'auth'
  | 'invalid_request'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'context_length'
  | 'content_filter'
  | 'quota'
  | 'cancelled';

export const RETRYABLE_ERROR_CLASSES: ReadonlySet<ProviderErrorClass> = new Set([
  'rate_limit',
  'overloaded',
  'server',
  'timeout',
  'network',
]);

/** A provider failure as a fact (message bounded, never containing credentials). */
export interface GenerationFailure {
  errorClass: ProviderErrorClass;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  status?: number;
}

/** The request for a compaction, re-derived from state like a generation request. */
export interface CompactionRequest {
  sessionId: string;
  compactionId: string;
  model: ModelSelection;
  /** Entries being compacted (everything before the boundary), in prompt order. */
  items: ContextEntry[];
  /** Instructions kept verbatim (not summarised) but given to the summariser for grounding. */
  instructions: ContextEntry[];
}

export interface CompactionFacts {
  /** Replacement entries placed where the compacted entries were (e.g. a summary message or an OpenAI compaction item). */
  outputs: OutputItemFact[];
  usage: Usage;
}

export type { ToolCallFact, ToolDescriptor };
