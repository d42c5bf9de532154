import { reject, type Admission } from '../core/admission.js';
import { canonicalJson } from '../values/canonical-json.js';
import { validateApprovals, type ApprovalRules } from './approvals.js';
import type { ParentLink } from '../fleet/children.js';
import type { GenerationParams } from '../request/generation.js';
import { API_KINDS, type ModelPrices, type ModelSelection } from '../request/model.js';

/**
 * Budgets of one scope (a run, or the whole session). All optional; absent = unlimited.
 * - maxTurns: generations started (a turn = one LLM generation, retries after compaction included).
 * - maxToolRounds: tool batches opened.
 * - maxOutputTokens: cumulative output tokens (not the per-generation cap, see GenerationParams).
 * - tokenBudget: cumulative input + cachedInput + cacheWrite + output tokens.
 * - costBudgetUsd: cumulative cost computed with the session's `prices` (required when set).
 */
export interface BudgetLimits {
  maxTurns?: number;
  maxToolRounds?: number;
  maxOutputTokens?: number;
  tokenBudget?: number;
  costBudgetUsd?: number;
}

/** Run-scope defaults at the top level, session-wide budgets under `session`. */
export interface Limits extends BudgetLimits {
  session?: BudgetLimits;
}

/**
 * `auto`: after a run ends, when the last generation's prompt (input + cached + cacheWrite tokens)
 * reached `thresholdTokens`, the session is compacted before the next run.
 */
export interface CompactionConfig {
  mode: 'disabled' | 'auto';
  thresholdTokens?: number;
}

/**
 * Where a config came from: the agent profile and the revision of it that was applied. Recorded in
 * the log so a session can say which definition it runs; never interpreted by the engine.
 */
export interface ConfigOrigin {
  profileId: string;
  revision: number;
}

/** A session's configuration, replaced whole under an expected revision. */
export interface SessionConfig {
  model: ModelSelection;
  generation?: GenerationParams;
  limits?: Limits;
  prices?: ModelPrices;
  compaction?: CompactionConfig;
  /** Which tool calls wait for a person's approval, run freely, or are refused (see approvals.ts). */
  approvals?: ApprovalRules;
  /** Opaque to the engine; the runtime resolves the toolset from it (`tools.replace`). */
  features?: unknown;
  /** Opaque API document echoed back by views. */
  document?: unknown;
  origin?: ConfigOrigin;
  /** Set on a sub-agent's session: the call that spawned it. Each run's end is reported there. */
  parent?: ParentLink;
}

/** Per-run overrides. The model may change per run but never its API kind (provider-native items). */
export interface RunConfig {
  model?: ModelSelection;
  generation?: GenerationParams;
  limits?: BudgetLimits;
}

const BUDGET_FIELDS = ['maxTurns', 'maxToolRounds', 'maxOutputTokens', 'tokenBudget', 'costBudgetUsd'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 512;
}

function invalid(path: string, message: string): Admission {
  return reject('invalid', `${path}: ${message}`, { path });
}

export function validateModel(model: unknown, path: string): Admission | undefined {
  if (!isRecord(model)) return invalid(path, 'expected {providerId, apiKind, model}');
  if (!nonEmptyString(model.providerId)) return invalid(`${path}.providerId`, 'expected a non-empty string');
  if (!API_KINDS.includes(model.apiKind as never)) return invalid(`${path}.apiKind`, `expected one of ${API_KINDS.join(', ')}`);
  if (!nonEmptyString(model.model)) return invalid(`${path}.model`, 'expected a non-empty string');
  return undefined;
}

function validateBudgets(limits: unknown, path: string, prices: ModelPrices | undefined): Admission | undefined {
  if (!isRecord(limits)) return invalid(path, 'expected an object');
  for (const field of BUDGET_FIELDS) {
    const value = limits[field];
    if (value === undefined) continue;
    const integer = field !== 'costBudgetUsd';
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
      return invalid(`${path}.${field}`, integer ? 'expected a non-negative integer' : 'expected a non-negative number');
    }
    if (field === 'costBudgetUsd' && prices === undefined) return invalid(`${path}.costBudgetUsd`, 'a cost budget needs `prices` in the session config');
  }
  return undefined;
}

function validateParams(params: unknown, path: string): Admission | undefined {
  if (!isRecord(params)) return invalid(path, 'expected an object');
  const max = params.maxOutputTokens;
  if (max !== undefined && (typeof max !== 'number' || !Number.isInteger(max) || max <= 0)) return invalid(`${path}.maxOutputTokens`, 'expected a positive integer');
  const temperature = params.temperature;
  if (temperature !== undefined && (typeof temperature !== 'number' || !Number.isFinite(temperature))) return invalid(`${path}.temperature`, 'expected a number');
  try {
    canonicalJson(params);
  } catch (_error) {
    return invalid(path, 'must be plain JSON');
  }
  return undefined;
}

function validatePrices(prices: unknown): Admission | undefined {
  if (!isRecord(prices)) return invalid('config.prices', 'expected an object');
  for (const field of ['inputPerMTok', 'cachedInputPerMTok', 'cacheWritePerMTok', 'outputPerMTok']) {
    const value = prices[field];
    const required = field === 'inputPerMTok' || field === 'outputPerMTok';
    if (value === undefined && !required) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return invalid(`config.prices.${field}`, 'expected a non-negative number');
  }
  return undefined;
}

/** Validates a whole session config; returns a rejection or undefined. */
export function validateSessionConfig(config: unknown): Admission | undefined {
  if (!isRecord(config)) return invalid('config', 'expected an object');
  const model = validateModel(config.model, 'config.model');
  if (model) return model;
  if (config.prices !== undefined) {
    const prices = validatePrices(config.prices);
    if (prices) return prices;
  }
  const prices = config.prices as ModelPrices | undefined;
  if (config.generation !== undefined) {
    const params = validateParams(config.generation, 'config.generation');
    if (params) return params;
  }
  if (config.limits !== undefined) {
    const limits = validateBudgets(config.limits, 'config.limits', prices);
    if (limits) return limits;
    const session = (config.limits as Limits).session;
    if (session !== undefined) {
      const scoped = validateBudgets(session, 'config.limits.session', prices);
      if (scoped) return scoped;
    }
  }
  if (config.origin !== undefined) {
    const origin = config.origin as Record<string, unknown>;
    if (!isRecord(origin) || !nonEmptyString(origin.profileId)) return invalid('config.origin.profileId', 'expected a non-empty string');
    if (typeof origin.revision !== 'number' || !Number.isSafeInteger(origin.revision) || origin.revision < 1) return invalid('config.origin.revision', 'expected a positive integer');
  }
  if (config.parent !== undefined) {
    const parent = config.parent as Record<string, unknown>;
    if (!isRecord(parent) || !nonEmptyString(parent.sessionId) || !nonEmptyString(parent.runId) || !nonEmptyString(parent.callId)) return invalid('config.parent', 'expected {sessionId, runId, callId, depth}');
    if (typeof parent.depth !== 'number' || !Number.isSafeInteger(parent.depth) || parent.depth < 1) return invalid('config.parent.depth', 'expected a positive integer');
  }
  if (config.approvals !== undefined) {
    const approvals = validateApprovals(config.approvals, 'config.approvals');
    if (approvals) return approvals;
  }
  if (config.compaction !== undefined) {
    const compaction = config.compaction as Record<string, unknown>;
    if (!isRecord(compaction) || (compaction.mode !== 'disabled' && compaction.mode !== 'auto')) return invalid('config.compaction.mode', "expected 'disabled' or 'auto'");
    const threshold = compaction.thresholdTokens;
    if (compaction.mode === 'auto' && (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold <= 0)) {
      return invalid('config.compaction.thresholdTokens', 'auto compaction needs a positive integer threshold');
    }
  }
  try {
    canonicalJson(config);
  } catch (_error) {
    return invalid('config', 'must be plain JSON (finite numbers, no functions)');
  }
  return undefined;
}

/** Validates run overrides against the session's (pinned) API kind. */
export function validateRunConfig(config: unknown, session: SessionConfig): Admission | undefined {
  if (!isRecord(config)) return invalid('config', 'expected an object');
  if (config.model !== undefined) {
    const model = validateModel(config.model, 'config.model');
    if (model) return model;
    if ((config.model as ModelSelection).apiKind !== session.model.apiKind) {
      return invalid('config.model.apiKind', `the session speaks ${session.model.apiKind}; a run cannot switch API kind`);
    }
  }
  if (config.generation !== undefined) {
    const params = validateParams(config.generation, 'config.generation');
    if (params) return params;
  }
  if (config.limits !== undefined) {
    const limits = validateBudgets(config.limits, 'config.limits', session.prices);
    if (limits) return limits;
  }
  return undefined;
}

/** Run-scope budgets: session config's top-level limits overridden field by field by the run's. */
export function runBudgets(session: SessionConfig | undefined, run: RunConfig | undefined): BudgetLimits {
  const base: BudgetLimits = {};
  const top = session?.limits;
  if (top) for (const field of BUDGET_FIELDS) if (top[field] !== undefined) base[field] = top[field];
  const over = run?.limits;
  if (over) for (const field of BUDGET_FIELDS) if (over[field] !== undefined) base[field] = over[field];
  return base;
}

export function sessionBudgets(session: SessionConfig | undefined): BudgetLimits {
  return session?.limits?.session ?? {};
}

export function effectiveModel(session: SessionConfig, run: RunConfig | undefined): ModelSelection {
  return run?.model ?? session.model;
}

/** Session generation params overridden (shallowly, per field) by the run's. */
export function effectiveParams(session: SessionConfig, run: RunConfig | undefined): GenerationParams {
  return { ...(session.generation ?? {}), ...(run?.generation ?? {}) };
}
