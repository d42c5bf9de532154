import { z } from 'zod';
import { epochMs, named, uint } from './registry.js';
import { TaskTemplateInput } from './schedules.js';
import { StepOutcome } from './workflows.js';

/*
 * Lightspeed extension (issue 15): sensor events (`events/*`) and the trigger rules that turn
 * them into tasks (`triggers/*`). Not in the v1 contract. Webhook deliveries arrive at
 * `POST /hooks/<hookId>` (docs/0021-schedules-and-triggers.md).
 */

const id = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, '1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');
const name = () => z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/, '1-128 characters of [A-Za-z0-9._:/@-], starting with a letter or digit');

export const WebhookScheme = named('WebhookScheme', z.enum(['hmac-sha256', 'standard-webhooks']));

export const TriggerWorkflowInput = named(
  'TriggerWorkflowInput',
  z
    .strictObject({
      templateId: id().describe('A template of workflows/templates/list.'),
      instanceKey: z.string().min(1).max(512).describe('A template string naming the instance per event, e.g. issue-{{event.payload.issue.id}}; creating is idempotent by the rendered key.'),
      input: z.unknown().optional().describe('The instance input on creation (JSON; strings may use {{event.*}}).'),
      agents: z.record(z.string().min(1).max(64), z.string().min(1).max(128)).nullish().describe("Per state, an agent to run instead of the template's."),
      advance: z
        .strictObject({
          to: z.string().min(1).max(64).nullish().describe('A state, or @succeeded / @failed.'),
          outcome: StepOutcome.nullish(),
          note: z.string().max(1000).nullish(),
        })
        .nullish()
        .describe('When the instance exists already: advance it (as workflows/advance would, by trigger). Without it a repeat key leaves the instance as it is.'),
    })
    .describe('Start (or advance) a workflow instance for each matching event.'),
);

export const TriggerInput = named(
  'TriggerInput',
  z.strictObject({
    triggerId: id(),
    enabled: z.boolean().nullish(),
    match: z
      .strictObject({
        source: name().nullish().describe('Events of this source (a webhook trigger defaults to its own, hook:<triggerId>).'),
        type: name().nullish(),
        filter: z.record(z.string().min(1).max(256), z.unknown()).nullish().describe('Dotted payload path → required value (an array: any of).'),
      })
      .nullish(),
    task: TaskTemplateInput.nullish().describe('The task each matching event creates (a trigger has a task, a workflow, or both).'),
    workflow: TriggerWorkflowInput.nullish(),
    webhook: z
      .strictObject({
        scheme: WebhookScheme,
        replayWindowMs: z.number().int().min(1000).max(3_600_000).nullish().describe('Signed timestamps further from now are refused (default 5 min).'),
        maxBodyBytes: z.number().int().min(1).max(1024 * 1024).nullish().describe('Larger bodies are answered 413 (default 256 KiB).'),
        typeField: z.string().min(1).max(256).nullish().describe('Payload field holding the event type (default "type").'),
      })
      .nullish()
      .describe('Accept signed deliveries at POST /hooks/<hookId>.'),
    description: z.string().max(1000).nullish(),
  }),
);

export const TriggerView = named(
  'TriggerView',
  z.object({
    triggerId: z.string(),
    enabled: z.boolean(),
    match: z.object({ source: z.string(), type: z.string().nullish(), filter: z.record(z.string(), z.unknown()).nullish() }),
    task: TaskTemplateInput.nullish(),
    workflow: TriggerWorkflowInput.nullish(),
    webhook: z.object({ scheme: WebhookScheme, replayWindowMs: uint(), maxBodyBytes: uint(), typeField: z.string().nullish() }).nullish(),
    hookPath: z.string().nullish().describe('Where the sender posts: /hooks/<hookId> on this server.'),
    hasSecret: z.boolean(),
    revision: uint(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
  }),
);

export const TriggerPutParams = named(
  'TriggerPutParams',
  z.strictObject({
    trigger: TriggerInput,
    secret: z.string().min(1).max(512).nullish().describe('The webhook secret (write-only). Omit on creation to have one generated and returned once.'),
    expectedRevision: uint().nullish(),
  }),
);
export const TriggerPutResponse = named('TriggerPutResponse', z.object({ trigger: TriggerView, secret: z.string().nullish().describe('Only when the server generated it: shown this once.') }));
export const TriggerIdParams = named('TriggerIdParams', z.strictObject({ triggerId: id() }));
export const TriggerListParams = named('TriggerListParams', z.strictObject({ limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(512).nullish() }));
export const TriggerResponse = named('TriggerResponse', z.object({ trigger: TriggerView }));
export const TriggerListResponse = named('TriggerListResponse', z.object({ triggers: z.array(TriggerView), nextCursor: z.string().nullish() }));

export const SensorEventView = named(
  'SensorEventView',
  z.object({
    eventId: z.string(),
    source: z.string(),
    type: z.string(),
    externalId: z.string().nullish(),
    dedupeKey: z.string(),
    subject: z.string().nullish(),
    payload: z.unknown(),
    rawRef: z.string().nullish().describe('The raw delivery in CAS (webhooks).'),
    receivedAtMs: epochMs(),
    dispatchedAtMs: epochMs().nullish(),
    firings: z.array(
      z.object({
        triggerId: z.string(),
        taskId: z.string().nullish(),
        deduped: z.boolean().nullish(),
        workflow: z.object({ instanceKey: z.string(), outcome: z.enum(['created', 'advanced', 'existing']) }).nullish().describe('The workflow instance the trigger started or advanced (existing: the key was there and the trigger does not advance).'),
        error: z.string().nullish(),
      }),
    ),
  }),
);

export const EventIngestParams = named(
  'EventIngestParams',
  z.strictObject({
    source: name(),
    type: name(),
    externalId: z.string().min(1).max(512).nullish().describe("The sender's id; the default dedupe key is source:externalId."),
    dedupeKey: z.string().min(1).max(512).nullish(),
    subject: z.string().min(1).max(512).nullish(),
    payload: z.unknown().describe('Any JSON (at most 1 MiB).'),
  }),
);
export const EventIngestResponse = named('EventIngestResponse', z.object({ event: SensorEventView, deduped: z.boolean().describe('A repeat: the original event, and no new task.') }));
export const EventListParams = named('EventListParams', z.strictObject({ source: name().nullish(), type: name().nullish(), limit: z.number().int().min(1).max(1000).nullish(), cursor: z.string().max(512).nullish() }));
export const EventListResponse = named('EventListResponse', z.object({ events: z.array(SensorEventView), nextCursor: z.string().nullish() }));
export const EventReadParams = named('EventReadParams', z.strictObject({ eventId: z.string().min(1).max(256) }));
export const EventReadResponse = named('EventReadResponse', z.object({ event: SensorEventView }));
