import {
  API_KINDS,
  type ApiKind,
  type BudgetLimits,
  type GenerationParams,
  type Limits,
  type ModelPrices,
  type ModelSelection,
  type RunConfig,
  type SessionConfig as EngineSessionConfig,
} from '@lightspeed/engine';
import { invalidRequest } from '../rpc/api-error.js';
import type { ModelConfig, RunStartConfig, SessionConfig } from '../schemas/config.js';

export interface ConfigDefaults {
  /** The deployment's default model, used when a config omits `model`. */
  model: ModelSelection;
  /** Compaction threshold when a provider-driven policy gives none (default 100,000 tokens). */
  compactionThresholdTokens?: number;
  /** Prices of a model (the shipped table plus overrides); undefined = unknown cost. */
  prices?: (model: ModelSelection) => ModelPrices | undefined;
}

type GenerationDoc = NonNullable<SessionConfig['generation']>;

function modelSelection(model: ModelConfig, path: string): ModelSelection {
  if (!API_KINDS.includes(model.apiKind as ApiKind)) throw invalidRequest(`${path}.apiKind: expected one of ${API_KINDS.join(', ')}`);
  if (model.providerId.length === 0 || model.model.length === 0) throw invalidRequest(`${path}: providerId and model must be non-empty`);
  return { providerId: model.providerId, apiKind: model.apiKind as ApiKind, model: model.model };
}

function generationParams(doc: GenerationDoc | null | undefined): GenerationParams | undefined {
  if (!doc) return undefined;
  const params: GenerationParams = {};
  // Zero means "no cap" on the wire; the engine wants a positive cap or none.
  if (doc.maxOutputTokens != null && doc.maxOutputTokens > 0) params.maxOutputTokens = doc.maxOutputTokens;
  if (doc.reasoningEffort != null) params.reasoningEffort = doc.reasoningEffort;
  if (doc.parallelToolUse != null) params.parallelToolUse = doc.parallelToolUse;
  const choice = doc.toolChoice;
  if (choice) params.toolChoice = choice.type === 'requiredAny' ? 'required' : choice.type === 'specific' ? { name: choice.toolId } : choice.type;
  return Object.keys(params).length > 0 ? params : undefined;
}

type BudgetDoc = Partial<Record<(typeof BUDGET_FIELDS)[number], number | null>>;
const BUDGET_FIELDS = ['maxTurns', 'maxToolRounds', 'maxOutputTokens', 'tokenBudget', 'costBudgetUsd'] as const;

function budgetLimits(doc: BudgetDoc | null | undefined): BudgetLimits | undefined {
  if (!doc) return undefined;
  const limits: BudgetLimits = {};
  for (const field of BUDGET_FIELDS) {
    const value = doc[field];
    if (value != null) limits[field] = value;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}

function sessionLimits(doc: (BudgetDoc & { session?: BudgetDoc | null }) | null | undefined): Limits | undefined {
  const limits: Limits = { ...budgetLimits(doc) };
  const session = budgetLimits(doc?.session);
  if (session) limits.session = session;
  return Object.keys(limits).length > 0 ? limits : undefined;
}

/**
 * A cost budget needs prices; without them the cost is unknown and no budget can be checked. The
 * engine refuses it too; this says which model lacks a price and how to give it one.
 */
function refuseUnpricedBudget(limits: Limits | BudgetLimits | undefined, model: ModelSelection, prices: ModelPrices | undefined, path: string): void {
  if (prices) return;
  const scoped = [limits?.costBudgetUsd !== undefined ? `${path}.costBudgetUsd` : undefined, (limits as Limits | undefined)?.session?.costBudgetUsd !== undefined ? `${path}.session.costBudgetUsd` : undefined].find(Boolean);
  if (!scoped) return;
  throw invalidRequest(`${scoped}: model ${model.providerId}/${model.model} has no price, so its cost is unknown and a cost budget cannot be enforced; price it with a price override or use a token budget`);
}

/**
 * The contract's config document → the engine's SessionConfig. The document itself (with the model
 * materialized) rides along in `config.document`, so reads echo exactly what was put.
 */
export function toEngineConfig(doc: SessionConfig | null | undefined, defaults: ConfigDefaults): EngineSessionConfig {
  const source: SessionConfig = doc ?? {};
  const model = source.model ? modelSelection(source.model, 'config.model') : defaults.model;
  const document: SessionConfig = { ...source, model: { providerId: model.providerId, apiKind: model.apiKind, model: model.model } };
  const config: EngineSessionConfig = { model, document };
  const generation = generationParams(source.generation);
  if (generation) config.generation = generation;
  const limits = sessionLimits(source.limits);
  if (limits) config.limits = limits;
  // Pinned in the log at configuration: a later price change affects later configurations only.
  const prices = defaults.prices?.(model);
  refuseUnpricedBudget(limits, model, prices, 'config.limits');
  if (prices) config.prices = prices;
  const compaction = source.context?.compaction;
  if (compaction) {
    config.compaction =
      compaction.mode === 'disabled'
        ? { mode: 'disabled' }
        : { mode: 'auto', thresholdTokens: compaction.compact_threshold_tokens ?? defaults.compactionThresholdTokens ?? 100_000 };
  }
  if (source.features != null) config.features = source.features;
  if (source.approvals != null) {
    const approvals: NonNullable<EngineSessionConfig['approvals']> = {};
    if (source.approvals.default != null) approvals.default = source.approvals.default;
    if (source.approvals.rules != null) approvals.rules = source.approvals.rules.map((rule) => ({ tool: rule.tool, policy: rule.policy }));
    config.approvals = approvals;
  }
  return config;
}

/** The stored document, or (for sessions opened without one) a document derived from the engine config. */
export function configDocument(config: EngineSessionConfig | undefined): SessionConfig | undefined {
  if (!config) return undefined;
  if (config.document !== undefined && config.document !== null && typeof config.document === 'object') return config.document as SessionConfig;
  return { model: { providerId: config.model.providerId, apiKind: config.model.apiKind, model: config.model.model } };
}

/** `session` is the session's engine config: a run's cost budget is checked against its prices. */
export function toRunConfig(doc: RunStartConfig | null | undefined, session?: EngineSessionConfig): RunConfig | undefined {
  if (!doc) return undefined;
  const config: RunConfig = {};
  if (doc.model) config.model = modelSelection(doc.model, 'config.model');
  const generation = generationParams(doc.generation);
  if (generation) config.generation = generation;
  const limits = budgetLimits(doc.limits);
  if (limits) config.limits = limits;
  if (session) refuseUnpricedBudget(limits, config.model ?? session.model, session.prices, 'config.limits');
  return Object.keys(config).length > 0 ? config : undefined;
}
