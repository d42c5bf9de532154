import { LightspeedError, STEP_OUTCOMES, WORKFLOW_FAIL, WORKFLOW_SUCCEED, type SensorEvent, type TaskJson, type TriggerDefinition, type TriggerWorkflow, type WebhookSettings } from '@lightspeed/ports';
import { checkTaskTemplate, lookup } from './task-template.js';

/** What `triggers/put` accepts; `enabled` and the webhook limits have defaults. */
export interface TriggerInput {
  triggerId: string;
  enabled?: boolean;
  match?: { source?: string; type?: string; filter?: Record<string, TaskJson> };
  task?: TriggerDefinition['task'];
  workflow?: TriggerWorkflow;
  webhook?: { scheme: WebhookSettings['scheme']; replayWindowMs?: number; maxBodyBytes?: number; typeField?: string };
  description?: string;
}

export const DEFAULT_REPLAY_WINDOW_MS = 5 * 60_000;
export const DEFAULT_HOOK_BODY_BYTES = 256 * 1024;
export const MAX_HOOK_BODY_BYTES = 1024 * 1024;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/;
const MAX_FILTER_FIELDS = 32;
const STATE = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

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
  onlyFields(input, 'trigger', ['triggerId', 'enabled', 'match', 'task', 'workflow', 'webhook', 'description']);
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
  if (input.task === undefined && input.workflow === undefined) throw invalid('task', 'a trigger needs a task, a workflow, or both (what it does with a matching event)');
  const task = input.task === undefined ? undefined : checkTaskTemplate(input.task);
  const workflow = input.workflow === undefined ? undefined : checkTriggerWorkflow(input.workflow);
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
    ...(task ? { task } : {}),
    ...(workflow ? { workflow } : {}),
    ...(webhook ? { webhook } : {}),
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}

/** The workflow part of a trigger; the template and states are checked when it fires (templates are files that may change). */
function checkTriggerWorkflow(input: TriggerWorkflow): TriggerWorkflow {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid('workflow', 'must be an object with templateId and instanceKey');
  onlyFields(input, 'workflow', ['templateId', 'instanceKey', 'input', 'agents', 'advance']);
  if (typeof input.templateId !== 'string' || !ID.test(input.templateId)) throw invalid('workflow.templateId', 'must be 1-128 characters of [A-Za-z0-9._-] (a template of workflows/templates/list)');
  if (typeof input.instanceKey !== 'string' || input.instanceKey.length === 0 || input.instanceKey.length > 512) throw invalid('workflow.instanceKey', 'a template string of 1-512 characters, e.g. issue-{{event.payload.issue.id}}');
  const out: TriggerWorkflow = { templateId: input.templateId, instanceKey: input.instanceKey };
  if (input.input !== undefined) out.input = input.input;
  if (input.agents !== undefined) {
    if (input.agents === null || typeof input.agents !== 'object' || Array.isArray(input.agents)) throw invalid('workflow.agents', 'an object of state name to agent name');
    for (const [state, agent] of Object.entries(input.agents)) {
      if (!STATE.test(state)) throw invalid(`workflow.agents.${state}`, 'not a state name');
      if (typeof agent !== 'string' || agent.length === 0 || agent.length > 128) throw invalid(`workflow.agents.${state}`, 'an agent name of 1-128 characters');
    }
    out.agents = input.agents;
  }
  if (input.advance !== undefined) {
    const advance = input.advance;
    if (advance === null || typeof advance !== 'object' || Array.isArray(advance)) throw invalid('workflow.advance', 'an object with to, outcome and note (all optional)');
    onlyFields(advance, 'workflow.advance', ['to', 'outcome', 'note']);
    if (advance.to !== undefined && (typeof advance.to !== 'string' || (!STATE.test(advance.to) && advance.to !== WORKFLOW_SUCCEED && advance.to !== WORKFLOW_FAIL))) throw invalid('workflow.advance.to', 'a state name, or @succeeded / @failed');
    if (advance.outcome !== undefined && !STEP_OUTCOMES.includes(advance.outcome)) throw invalid('workflow.advance.outcome', `one of ${STEP_OUTCOMES.join(', ')}`);
    if (advance.note !== undefined && (typeof advance.note !== 'string' || advance.note.length > 1000)) throw invalid('workflow.advance.note', 'at most 1,000 characters');
    out.advance = { ...(advance.to !== undefined ? { to: advance.to } : {}), ...(advance.outcome !== undefined ? { outcome: advance.outcome } : {}), ...(advance.note !== undefined ? { note: advance.note } : {}) };
  }
  return out;
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
