/** The API kinds Lightspeed speaks natively; each has its own adapter. */
export type ApiKind = 'openai:responses' | 'openai:completions' | 'anthropic:messages';

export const API_KINDS: readonly ApiKind[] = ['openai:responses', 'openai:completions', 'anthropic:messages'];

/** Model selection as recorded in the log. Endpoints and credentials are deployment config, never here. */
export interface ModelSelection {
  providerId: string;
  apiKind: ApiKind;
  model: string;
}

/** Prices in USD per million tokens, supplied in session config for cost budgets. */
export interface ModelPrices {
  inputPerMTok: number;
  cachedInputPerMTok?: number;
  cacheWritePerMTok?: number;
  outputPerMTok: number;
}
