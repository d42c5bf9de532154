import { API_KINDS, canonicalJson, type ModelSelection } from '@lightspeed/engine';
import { LightspeedError, type AttemptReport, type BackoffPolicy, type TaskInput, type TaskJson } from '@lightspeed/ports';
import { backoffPolicy } from './task-backoff.js';

/*
 * Boundary checks of `enqueue`: every rule names the field it refused, and nothing is written
 * before all of them pass.
 */

const MAX_TEXT = 256;
const MAX_TAGS = 32;
export const MAX_PRIORITY = 1000;
export const DEFAULT_MAX_ATTEMPTS = 3;
const MAX_ATTEMPTS_LIMIT = 100;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

const FIELDS = new Set<keyof TaskInput>([
  'kind', 'source', 'subject', 'payload', 'agent', 'model', 'priority', 'availableAt', 'delayMs',
  'maxAttempts', 'backoff', 'timeoutMs', 'dedupeKey', 'concurrencyKey', 'tags',
]);

export function refuse(field: string, rule: string): never {
  throw new LightspeedError('invalid', `${field} ${rule}`, { field });
}

function text(field: string, value: unknown, required: boolean, max = MAX_TEXT): string | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL.test(value)) {
    refuse(field, `must be 1-${max} characters without control characters`);
  }
  return value;
}

function wholeMs(field: string, value: unknown, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) refuse(field, 'must be a whole number of milliseconds');
  if (value < minimum) refuse(field, minimum === 0 ? 'must not be negative' : `must be at least ${minimum}`);
  return value;
}

function modelOf(value: unknown): ModelSelection | undefined {
  if (value === undefined) return undefined;
  const m = value as Partial<ModelSelection> | null;
  if (m === null || typeof m !== 'object') refuse('model', 'must be { providerId, apiKind, model }');
  text('model.providerId', m.providerId, true);
  text('model.model', m.model, true);
  if (!API_KINDS.includes(m.apiKind as ModelSelection['apiKind'])) refuse('model.apiKind', `must be one of ${API_KINDS.join(', ')}`);
  for (const key of Object.keys(m)) if (!['providerId', 'apiKind', 'model'].includes(key)) refuse(`model.${key}`, 'is not a model selection field');
  return { providerId: m.providerId!, apiKind: m.apiKind!, model: m.model! };
}

export interface CheckedTask {
  kind: string;
  source?: string;
  subject?: string;
  /** Canonical JSON text of the payload. */
  payloadText: string;
  agent: string;
  model?: ModelSelection;
  priority: number;
  availableAt: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  timeoutMs?: number;
  dedupeKey?: string;
  concurrencyKey: string;
  tags: string[];
}

export interface TaskInputLimits {
  maxPayloadBytes: number;
  defaultBackoff: BackoffPolicy;
}

/** Validates an enqueue request against the rules above; `now` resolves `delayMs`. */
export function checkTaskInput(input: TaskInput, now: number, limits: TaskInputLimits): CheckedTask {
  if (input === null || typeof input !== 'object') refuse('task', 'must be an object');
  for (const key of Object.keys(input)) if (!FIELDS.has(key as keyof TaskInput)) refuse(key, 'is not a task field');
  const priority = input.priority ?? 0;
  if (!Number.isSafeInteger(priority) || Math.abs(priority) > MAX_PRIORITY) refuse('priority', `must be a whole number from -${MAX_PRIORITY} to ${MAX_PRIORITY}`);
  const maxAttempts = input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) refuse('maxAttempts', `must be a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`);
  const delayMs = wholeMs('delayMs', input.delayMs, 0);
  const availableAtInput = wholeMs('availableAt', input.availableAt, 0);
  if (delayMs !== undefined && availableAtInput !== undefined) refuse('delayMs', 'and availableAt are exclusive; give one');
  const timeoutMs = wholeMs('timeoutMs', input.timeoutMs, 1);
  const tags = input.tags ?? [];
  if (!Array.isArray(tags) || tags.length > MAX_TAGS) refuse('tags', `must be a list of at most ${MAX_TAGS} tags`);
  tags.forEach((tag, i) => text(`tags[${i}]`, tag, true, 128));
  let payloadText: string;
  try {
    payloadText = canonicalJson((input.payload ?? null) as TaskJson);
  } catch {
    refuse('payload', 'must be plain JSON (finite numbers, no functions or cycles)');
  }
  const payloadBytes = Buffer.byteLength(payloadText);
  if (payloadBytes > limits.maxPayloadBytes) {
    throw new LightspeedError('too_large', `payload is ${payloadBytes} bytes, over the limit of ${limits.maxPayloadBytes}; put large inputs in a blob and pass its ref`, {
      field: 'payload',
      size: payloadBytes,
      max: limits.maxPayloadBytes,
    });
  }
  const checked: CheckedTask = {
    kind: text('kind', input.kind, true, 128)!,
    payloadText,
    agent: text('agent', input.agent, true)!,
    priority,
    availableAt: availableAtInput ?? now + (delayMs ?? 0),
    maxAttempts,
    backoff: backoffPolicy(input.backoff, limits.defaultBackoff),
    concurrencyKey: text('concurrencyKey', input.concurrencyKey, false) ?? '',
    tags: [...new Set(tags)],
  };
  const source = text('source', input.source, false);
  const subject = text('subject', input.subject, false, 1024);
  const dedupeKey = text('dedupeKey', input.dedupeKey, false);
  const model = modelOf(input.model);
  if (source !== undefined) checked.source = source;
  if (subject !== undefined) checked.subject = subject;
  if (dedupeKey !== undefined) checked.dedupeKey = dedupeKey;
  if (model !== undefined) checked.model = model;
  if (timeoutMs !== undefined) checked.timeoutMs = timeoutMs;
  return checked;
}

export function positiveInt(field: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) refuse(field, `must be a whole number from 1 to ${max}`);
  return value;
}

export const MAX_ERROR_TEXT = 4096;

/** Shortens an error message so one bad attempt cannot bloat the row. */
export function clip(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT - 1)}…` : text;
}

export function checkReport(report: AttemptReport): void {
  if (report.evidence !== undefined && (!Array.isArray(report.evidence) || report.evidence.some((ref) => typeof ref !== 'string' || ref.length === 0 || ref.length > 1024))) {
    refuse('evidence', 'must be a list of refs or paths (1-1024 characters each)');
  }
  if (report.costUsd !== undefined && (!Number.isFinite(report.costUsd) || report.costUsd < 0)) refuse('costUsd', 'must be a non-negative number');
  if (report.agentRevision !== undefined && (!Number.isSafeInteger(report.agentRevision) || report.agentRevision < 1)) refuse('agentRevision', 'must be a positive integer');
}
