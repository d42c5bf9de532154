import type { BlobRef } from '@lightspeed/engine';
import type { TaskTemplate } from './schedules.js';
import type { TaskJson } from './task-queue.js';
import type { StepOutcome } from './workflows.js';

/*
 * Sensor events and the triggers that turn them into tasks (operations layer, issue 15). Storage
 * half; matching, templating and webhook verification are `@lightspeed/schedules`
 * (docs/0021-schedules-and-triggers.md).
 */

/** Something that happened outside, as it is recorded. */
export interface SensorEventInput {
  /** Who says so: `github`, `hook:<triggerId>`, `cron-monitor` (1-128 characters). */
  source: string;
  /** What happened: `issue.opened`, `deploy.failed` (1-128 characters). */
  type: string;
  /** The sender's id for it (a delivery id), if it has one. */
  externalId?: string;
  /** Repeats with the same key are the same event (default: source + externalId; one of the two is required). */
  dedupeKey?: string;
  subject?: string;
  payload: TaskJson;
  /** The raw delivery, kept in CAS for audit (already stored). */
  rawRef?: BlobRef;
  /**
   * The raw delivery to store in CAS with the event (one write; its ref becomes `rawRef`).
   * Not with `rawRef`.
   */
  raw?: { bytes: Uint8Array; mediaType?: string };
}

/** What one trigger did with an event. */
export interface TriggerFiring {
  triggerId: string;
  taskId?: string;
  /** The task existed already (a repair of an interrupted dispatch found it). */
  deduped?: boolean;
  /** The workflow instance it started or advanced (`existing`: the key was there and no advance is set). */
  workflow?: { instanceKey: string; outcome: 'created' | 'advanced' | 'existing' };
  error?: string;
}

export interface SensorEvent {
  id: string;
  source: string;
  type: string;
  externalId?: string;
  dedupeKey: string;
  subject?: string;
  payload: TaskJson;
  rawRef?: BlobRef;
  receivedAt: number;
  /** When its triggers ran; absent while (or if) the dispatch was interrupted. */
  dispatchedAt?: number;
  firings: TriggerFiring[];
}

export interface SensorEventStore {
  /** Records the event once per dedupe key; a repeat answers the original with `deduped: true`. */
  record(input: SensorEventInput): Promise<{ event: SensorEvent; deduped: boolean }>;
  get(eventId: string): Promise<SensorEvent | undefined>;
  /** Newest first. */
  list(options?: { source?: string; type?: string; limit?: number; cursor?: string }): Promise<{ events: SensorEvent[]; nextCursor?: string }>;
  /** Records what the triggers did; the event is dispatched from then on. */
  markDispatched(eventId: string, firings: readonly TriggerFiring[]): Promise<SensorEvent>;
  /** Events whose dispatch did not finish, received at or before `before` (a repair sweep's input). */
  undispatched(before: number, limit: number): Promise<SensorEvent[]>;
}

/** How `POST /hooks/<hookId>` verifies a delivery for a trigger. */
export interface WebhookSettings {
  /**
   * `hmac-sha256`: header `x-signature-256: sha256=<hex HMAC of "<timestamp>.<body>">` and
   * `x-signature-timestamp: <unix seconds>`; `standard-webhooks`: the `webhook-id`,
   * `webhook-timestamp`, `webhook-signature` scheme (standardwebhooks.com).
   */
  scheme: 'hmac-sha256' | 'standard-webhooks';
  /** Deliveries older or newer than this (by their signed timestamp) are refused (default 5 min). */
  replayWindowMs: number;
  /** Largest body accepted (default 256 KiB); larger ones are answered 413. */
  maxBodyBytes: number;
  /** Payload field (dotted path) holding the event type; default: the `webhook-type` header if any, else `webhook`. */
  typeField?: string;
}

export interface TriggerDefinition {
  triggerId: string;
  enabled: boolean;
  /** Events it acts on: same source, same type (if given), and every filter field equal (an array: any of). */
  match: { source: string; type?: string; filter?: Record<string, TaskJson> };
  /** The task it creates; placeholders read `event.payload.*`, `event.type`, `event.source`, `event.id`, `event.subject`. */
  task?: TaskTemplate;
  /** The workflow instance it starts or advances (at least one of `task` and `workflow` is set). */
  workflow?: TriggerWorkflow;
  /** Accept deliveries at `POST /hooks/<hookId>` (recorded as source `hook:<triggerId>`). */
  webhook?: WebhookSettings;
  description?: string;
}

/**
 * A trigger's workflow part: create the instance keyed by the rendered `instanceKey` (idempotent),
 * or, when it exists and `advance` is set, advance it. Strings use the task template placeholders.
 */
export interface TriggerWorkflow {
  templateId: string;
  /** A template string, e.g. `issue-{{event.payload.issue.id}}`; it must render to a valid instance key. */
  instanceKey: string;
  /** The instance input (rendered JSON) on creation. */
  input?: TaskJson;
  /** Per state, the agent to run instead of the template's. */
  agents?: Record<string, string>;
  /** When the instance exists: move it (`to` a state, or by `outcome`), as an operator's advance would. */
  advance?: { to?: string; outcome?: StepOutcome; note?: string };
}

export interface TriggerRecord {
  universe: string;
  definition: TriggerDefinition;
  /** For webhook triggers: the server-chosen, unguessable path segment of `POST /hooks/<hookId>`. */
  hookId?: string;
  /** Whether a webhook secret is stored (the secret itself is never read back through this record). */
  hasSecret: boolean;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface TriggerStore {
  /**
   * Creates or replaces a trigger. `secret` replaces the stored webhook secret when given (kept
   * otherwise); a webhook trigger keeps its hook id across puts. `expectedRevision` 0 = must not exist.
   */
  put(definition: TriggerDefinition, options?: { secret?: string; expectedRevision?: number }): Promise<TriggerRecord>;
  get(triggerId: string): Promise<TriggerRecord | undefined>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ triggers: TriggerRecord[]; nextCursor?: string }>;
  delete(triggerId: string): Promise<TriggerRecord>;
  /** Enabled triggers whose match source is `source`. */
  matching(source: string): Promise<TriggerRecord[]>;
}

/** Resolves `POST /hooks/<hookId>` across universes: the trigger and its secret. */
export interface HookDirectory {
  resolve(hookId: string): Promise<{ trigger: TriggerRecord; secret: string } | undefined>;
}
