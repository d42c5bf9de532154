import { LightspeedError, type SensorEvent, type TaskJson, type TriggerDefinition, type WebhookSettings } from '@lightspeed/ports';
import { checkTaskTemplate, lookup } from './task-template.js';

/** What `triggers/put` accepts; `enabled` and the webhook limits have defaults. */
export interface TriggerInput {
  triggerId: string;
  enabled?: boolean;
  match?: { source?: string; type?: string; filter?: Record<string, TaskJson> };
  task: TriggerDefinition['task'];
  webhook?: { scheme: WebhookSettings['scheme']; replayWindowMs?: number; maxBodyBytes?: number; typeField?: string };
  description?: string;
}

export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;
export const DEFAULT_HOOK_BODY_BYTES = 256 * 1024;
export const MAX_HOOK_BODY_BYTES = 1024 * 1024;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const MAX_FILTER_FIELDS = 32;

function invalid(field: string, message: string): LightspeedError {
  return new LightspeedError('invalid', `${field}: ${message}`, { field });
}

function onlyFields(value: object, field: string, known: readonly string[]): void {
  for (const key of Object.keys(value)) if (!known.includes(key)) throw invalid(`${field}.${key}`, `unknown field (known: ${known.join(', ')})`);
}

/** The source a webhook trigger's own deliveries are recorded under. */
export function hookSource(triggerId: string): string {
  return `hook:${triggerId}`;
}

/**
 * The stored definition, or `invalid` naming the field. A webhook trigger matches its own
 * deliveries (`hook:<triggerId>`) unless told otherwise; any other trigger must name a source.
 */
export function checkTriggerDefinition(input: TriggerInput): TriggerDefinition {
  onlyFields(input, 'trigger', ['triggerId', 'enabled', 'match', 'task', 'webhook', 'description']);
  if (typeof input.triggerId !== 'string' || !ID.test(input.triggerId)) throw invalid('triggerId', 'must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');
  const match = input.match ?? {};
  onlyFields(match, 'match', ['source', 'type', 'filter']);
  const source = match.source ?? (input.webhook ? hookSource(input.triggerId) : undefined);
  if (source === undefined) throw invalid('match.source', 'required: the source of the events it acts on (github, hook:<triggerId>, …); a webhook trigger defaults to its own');
  if (!NAME.test(source)) throw invalid('match.source', 'must be 1-128 characters of [A-Za-z0-9._:/@-]');
  if (match.type !== undefined && !NAME.test(match.type)) throw invalid('match.type', 'must be 1-128 characters of [A-Za-z0-9._:/@-]');
  if (match.filter !== undefined) {
    if (match.filter === null || typeof match.filter !== 'object' || Array.isArray(match.filter)) throw invalid('match.filter', 'must be an object of dotted payload paths to values');
    if (Object.keys(match.filter).length > MAX_FILTER_FIELDS) throw invalid('match.filter', `at most ${MAX_FILTER_FIELDS} fields`);
  }
  const task = checkTaskTemplate(input.task);
  let webhook: WebhookSettings | undefined;
  if (input.webhook !== undefined) {
    onlyFields(input.webhook, 'webhook', ['scheme', 'replayWindowMs', 'maxBodyBytes', 'typeField']);
    const { scheme } = input.webhook;
    if (scheme !== 'hmac-sha256' && scheme !== 'standard-webhooks') throw invalid('webhook.scheme', 'must be hmac-sha256 or standard-webhooks');
    const replayWindowMs = input.webhook.replayWindowMs ?? DEFAULT_REPLAY_WINDOW_MS;
    if (!Number.isSafeInteger(replayWindowMs) || replayWindowMs < 1_000 || replayWindowMs > 3_600_000) throw invalid('webhook.replayWindowMs', 'must be 1,000 to 3,600,000 ms');
    const maxBodyBytes = input.webhook.maxBodyBytes ?? DEFAULT_HOOK_BODY_BYTES;
    if (!Number.isSafeInteger(maxBodyBytes) || maxBodyBytes < 1 || maxBodyBytes > MAX_HOOK_BODY_BYTES) throw invalid('webhook.maxBodyBytes', `must be 1 to ${MAX_HOOK_BODY_BYTES} bytes`);
    webhook = { scheme, replayWindowMs, maxBodyBytes, ...(input.webhook.typeField !== undefined ? { typeField: input.webhook.typeField } : {}) };
  }
  return {
    triggerId: input.triggerId,
    enabled: input.enabled ?? true,
    match: { source, ...(match.type !== undefined ? { type: match.type } : {}), ...(match.filter !== undefined ? { filter: match.filter } : {}) },
    task,
    ...(webhook ? { webhook } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}

function sameJson(a: TaskJson | undefined, b: TaskJson): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

/** Whether a trigger acts on an event: source, type (if set), and each filter field (an array: any of its values). */
export function triggerMatches(definition: TriggerDefinition, event: Pick<SensorEvent, 'source' | 'type' | 'payload'>): boolean {
  if (!definition.enabled || definition.match.source !== event.source) return false;
  if (definition.match.type !== undefined && definition.match.type !== event.type) return false;
  for (const [path, expected] of Object.entries(definition.match.filter ?? {})) {
    const actual = lookup(event.payload, path);
    const ok = Array.isArray(expected) ? expected.some((option) => sameJson(actual, option)) : sameJson(actual, expected);
    if (!ok) return false;
  }
  return true;
}
