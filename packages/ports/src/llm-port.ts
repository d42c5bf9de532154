import type { BlobRef, CompactionFacts, CompactionRequest, GenerationFacts, GenerationFailure, GenerationRequest, ModelSelection, Usage } from '@lightspeed/engine';
import type { BlobStore } from './blob-store.js';
import type { LiveChannel } from './live-channel.js';

export interface LlmCallContext {
  blobs: BlobStore;
  live?: LiveChannel;
  signal?: AbortSignal;
}

/**
 * Thrown by adapters for every provider failure, already classified. `usage` is what the failed
 * attempt consumed when the provider reported it before failing (a stream that reported its input
 * tokens and then errored is billed): the driver counts it in the run and session totals.
 */
export class ProviderError extends Error {
  readonly failure: GenerationFailure;
  readonly usage?: Usage;
  constructor(failure: GenerationFailure, usage?: Usage) {
    super(failure.message);
    this.name = 'ProviderError';
    this.failure = failure;
    if (usage !== undefined) this.usage = usage;
  }
}

export interface ModelInfo {
  providerId: string;
  apiKind: ModelSelection['apiKind'];
  model: string;
  displayName?: string;
  source: 'configured' | 'live';
}

/**
 * One generation or compaction against a provider. Inputs are read from CAS, outputs are written to
 * CAS before the facts are returned; deltas go to the live channel. Failures throw ProviderError.
 */
export interface LlmPort {
  generate(request: GenerationRequest, context: LlmCallContext): Promise<GenerationFacts>;
  compact(request: CompactionRequest, context: LlmCallContext): Promise<CompactionFacts>;
  /**
   * Validates a model selection and its adapter's native params at admission; returns an error
   * message or undefined. The message starts with the field at fault and a colon: `providerId`,
   * `apiKind` or `model` of the selection, or `params.native…` (hosts rewrite it to the config path).
   */
  validateParams(model: ModelSelection, native: Record<string, unknown> | undefined): string | undefined;
  listModels(): Promise<ModelInfo[]>;
}

export type { BlobRef };
