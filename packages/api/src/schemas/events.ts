import { z } from 'zod';
import { ModelConfig } from './config.js';
import { ContextEntryInputView, ContextEntryView, ToolCallDisplayView, ToolItemStatus } from './context.js';
import { named, uint } from './registry.js';
import { ToolEffectView } from './runs.js';

export const EventCursor = named('EventCursor', z.object({ seq: uint() }));
export type EventCursor = z.infer<typeof EventCursor>;

export const EventJoinsView = named(
  'EventJoinsView',
  z.object({
    correlationId: z.string().nullish(),
    runId: z.string().nullish(),
    submissionId: z.string().nullish(),
    toolBatchId: z.string().nullish(),
    toolCallId: z.string().nullish(),
    turnId: z.string().nullish(),
  }),
);
export type EventJoinsView = z.infer<typeof EventJoinsView>;

export const RunAcceptedSourceView = named(
  'RunAcceptedSourceView',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('input'), entries: z.array(ContextEntryInputView) }),
    z.object({ type: z.literal('context'), keys: z.array(z.string()) }),
  ]),
);
export const ToolCallEventView = named(
  'ToolCallEventView',
  z.object({
    callId: z.string(),
    toolName: z.string(),
    argumentsRef: z.string(),
    arguments: z.string().nullish(),
    display: ToolCallDisplayView.nullish(),
  }),
);

const runId = z.string();
const turnId = z.string();
const revisions = { baseRevision: uint(), revision: uint() };

/**
 * The subset of the contract's SessionEventKindView this server emits. Variants for features it
 * does not offer (workflow tools, buffered messages, skills, environments) are omitted.
 */
export const SessionEventKindView = named(
  'SessionEventKindView',
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('sessionOpened'), model: ModelConfig.nullish() }),
    z.object({ type: z.literal('sessionConfigChanged'), model: ModelConfig.nullish(), revision: uint() }),
    z.object({ type: z.literal('sessionClosed') }),
    z.object({ type: z.literal('runAccepted'), runId, source: RunAcceptedSourceView, submissionId: z.string().nullish() }),
    z.object({ type: z.literal('runStarted'), runId }),
    z.object({ type: z.literal('runSteeringAccepted'), runId, steeringId: z.string(), input: z.array(ContextEntryInputView) }),
    z.object({ type: z.literal('runCancellationRequested'), runId }),
    z.object({ type: z.literal('runCompleted'), runId, outputRef: z.string().nullish() }),
    z.object({ type: z.literal('runFailed'), runId, message: z.string() }),
    z.object({ type: z.literal('runCancelled'), runId }),
    z.object({ type: z.literal('turnStarted'), runId, turnId }),
    z.object({ type: z.literal('turnGenerationRequested'), runId, turnId }),
    z.object({ type: z.literal('turnGenerationCompleted'), runId, turnId, status: z.string() }),
    z.object({ type: z.literal('turnCompleted'), turnId }),
    z.object({ type: z.literal('turnCancelled'), runId, turnId }),
    z.object({ type: z.literal('contextEntriesApplied'), ...revisions, entries: z.array(ContextEntryView) }),
    z.object({ type: z.literal('contextKeysRemoved'), ...revisions, keys: z.array(z.string()) }),
    z.object({ type: z.literal('contextStateReplaced'), ...revisions, entries: z.array(ContextEntryView), reason: z.string() }),
    z.object({ type: z.literal('contextCompactionRequested'), ...revisions, trigger: z.string() }),
    z.object({ type: z.literal('contextCompactionFinished'), ...revisions, status: z.string(), failureRef: z.string().nullish() }),
    z.object({ type: z.literal('toolsReplaced'), ...revisions }),
    z.object({ type: z.literal('toolBatchStarted'), runId, turnId, batchId: z.string(), calls: z.array(ToolCallEventView) }),
    z.object({ type: z.literal('toolCallStarted'), runId, turnId, batchId: z.string(), callId: z.string() }),
    z.object({
      type: z.literal('toolCallCompleted'),
      runId,
      turnId,
      batchId: z.string(),
      callId: z.string(),
      status: ToolItemStatus,
      effects: z.array(ToolEffectView).optional(),
    }),
    z.object({ type: z.literal('toolBatchCompleted'), runId, turnId, batchId: z.string() }),
    // A wait opened (a deferred tool call). waitKind, runId, callId, preview and deadlineMs are Lightspeed extensions.
    z.object({
      type: z.literal('promiseCreated'),
      promiseId: z.string(),
      source: z.string(),
      waitKind: z.string().optional(),
      runId: runId.optional(),
      callId: z.string().optional(),
      preview: z.string().optional(),
      deadlineMs: uint().optional(),
    }),
    // A wait ended: answered (or its timer fired), failed with a reason, or cancelled.
    // by, actor (who answered: `key <keyId>` or `local user`) and forSession are Lightspeed extensions.
    z.object({ type: z.literal('promiseResolved'), promiseId: z.string(), payloadRef: z.string().nullish(), by: z.enum(['timer', 'external']).optional(), actor: z.string().optional(), forSession: z.boolean().optional() }),
    z.object({ type: z.literal('promiseFailed'), promiseId: z.string(), errorRef: z.string().nullish(), actor: z.string().optional() }),
    z.object({ type: z.literal('promiseCancelled'), promiseId: z.string(), actor: z.string().optional() }),
  ]),
);
export type SessionEventKindView = z.infer<typeof SessionEventKindView>;

export const SessionEventView = named(
  'SessionEventView',
  z.object({
    cursor: EventCursor,
    sessionId: z.string(),
    observedAtMs: uint(),
    joins: EventJoinsView,
    kind: SessionEventKindView,
  }),
);
export type SessionEventView = z.infer<typeof SessionEventView>;

export const SessionEventsReadParams = named(
  'SessionEventsReadParams',
  z.object({
    sessionId: z.string(),
    after: EventCursor.nullish(),
    limit: uint().nullish(),
    waitMs: uint().nullish().describe('Long-poll budget; values above the server cap are clamped.'),
  }),
);
export const EventLogGap = named(
  'EventLogGap',
  z.object({ nextCursor: EventCursor.nullish(), requestedAfter: EventCursor.nullish(), retainedAfter: EventCursor.nullish() }),
);
export const SessionEventsReadResponse = named(
  'SessionEventsReadResponse',
  z.object({
    events: z.array(SessionEventView).default([]),
    complete: z.boolean(),
    nextCursor: EventCursor.nullish(),
    headCursor: EventCursor.nullish(),
    gap: EventLogGap.nullish(),
  }),
);
export type SessionEventsReadResponse = z.infer<typeof SessionEventsReadResponse>;
