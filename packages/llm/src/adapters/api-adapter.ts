import type { ApiKind, CompactionFacts, CompactionRequest, GenerationFacts, GenerationRequest } from '@lightspeed/engine';
import type { LlmCallContext } from '@lightspeed/ports';

/**
 * Where and how to reach one provider for one API kind. Resolved from deployment config just
 * before I/O; never logged, never journaled.
 */
export interface ResolvedEndpoint {
  providerId: string;
  apiKind: ApiKind;
  /** SDK base URL (OpenAI kinds include `/v1`); undefined = the SDK's default. */
  baseURL?: string;
  apiKey: string;
  headers?: Record<string, string>;
  /** Whole-request timeout handed to the SDK. */
  timeoutMs: number;
}

/** One API kind spoken natively. The router picks the adapter by the model selection's apiKind. */
export interface ApiAdapter {
  readonly apiKind: ApiKind;
  generate(request: GenerationRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<GenerationFacts>;
  compact(request: CompactionRequest, endpoint: ResolvedEndpoint, context: LlmCallContext): Promise<CompactionFacts>;
  /** Validates `params.native` against this adapter's schema; an error message or undefined. */
  validateParams(native: Record<string, unknown> | undefined): string | undefined;
  /** Model ids from the provider's live listing, where the API has one. */
  listModels(endpoint: ResolvedEndpoint): Promise<string[]>;
}
