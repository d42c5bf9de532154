import type { FinishReason, GenerationFacts, GenerationParams, GenerationRequest, Usage } from '@lightspeed/engine';
import { ProviderError, type BlobStore } from '@lightspeed/ports';
import { BlobReader } from '../context/blob-reader.js';
import type { NeutralPart } from '../context/neutral-part.js';
import { readContext, readTools, type ToolDefinition } from '../context/read-context.js';
import type { ApiAdapter } from './api-adapter.js';
import type { PendingOutputs } from '../output/pending-outputs.js';

/** The inputs of one streamed provider call, already read from CAS. */
export interface TurnInput {
  model: string;
  params: GenerationParams;
  parts: NeutralPart[];
  tools: ToolDefinition[];
  cacheBreakpoints: number[];
}

/**
 * The first step of every adapter's `generate`: refuse invalid native params (never sent), then read
 * the planned context and tool definitions from CAS in this adapter's API kind.
 */
export async function readTurnInput(adapter: Pick<ApiAdapter, 'apiKind' | 'validateParams'>, request: GenerationRequest, blobs: BlobStore): Promise<TurnInput> {
  const invalid = adapter.validateParams(request.params.native);
  if (invalid) throw new ProviderError({ errorClass: 'invalid_request', message: invalid, retryable: false });
  const reader = new BlobReader(blobs);
  const [parts, tools] = await Promise.all([readContext(request.items, adapter.apiKind, reader), readTools(request.tools, reader)]);
  return { model: request.model.model, params: request.params, parts, tools, cacheBreakpoints: request.cacheBreakpoints };
}

/** A completed provider call whose outputs are not yet in CAS. */
export interface TurnOutcome {
  pending: PendingOutputs;
  finishReason: FinishReason;
  usage: Usage;
  responseId?: string;
}

export async function commitTurn(outcome: TurnOutcome, blobs: BlobStore): Promise<GenerationFacts> {
  const { outputs, toolCalls } = await outcome.pending.commit(blobs);
  const facts: GenerationFacts = { finishReason: outcome.finishReason, usage: outcome.usage, outputs, toolCalls };
  if (outcome.responseId !== undefined) facts.responseId = outcome.responseId;
  return facts;
}
