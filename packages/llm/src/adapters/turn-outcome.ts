import type { FinishReason, GenerationFacts, GenerationParams, Usage } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import type { NeutralPart } from '../context/neutral-part.js';
import type { ToolDefinition } from '../context/read-context.js';
import type { PendingOutputs } from '../output/pending-outputs.js';

/** The inputs of one streamed provider call, already read from CAS. */
export interface TurnInput {
  model: string;
  params: GenerationParams;
  parts: NeutralPart[];
  tools: ToolDefinition[];
  cacheBreakpoints: number[];
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
