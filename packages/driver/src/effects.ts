import {
  compactionRequest,
  fingerprintOf,
  generationRequest,
  preview,
  type Action,
  type BlobRef,
  type Command,
  type SessionState,
  type ToolCallOutcome,
  type ToolInvocation,
  type OutboxMessage,
  type Usage,
} from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import type { DriverPorts } from './ports.js';
import { withRetries, type Retried } from './retrying.js';

type GenerateAction = Extract<Action, { type: 'generate' }>;
type CompactAction = Extract<Action, { type: 'compact' }>;
type AppendAction = Extract<Action, { type: 'append' }>;

const encoder = new TextEncoder();

/**
 * Puts the small texts the engine synthesised (e.g. "tool X is unavailable") into CAS before the
 * events that reference them are appended, so no committed event ever points at a missing blob.
 */
export async function persistActionBlobs(blobs: BlobStore, action: AppendAction): Promise<void> {
  if (!action.blobs?.length) return;
  const stats = await blobs.putMany(action.blobs.map((b) => ({ bytes: encoder.encode(b.text), mediaType: 'text/plain; charset=utf-8' })));
  stats.forEach((stat, i) => {
    if (stat.ref !== action.blobs![i]!.ref) throw new LightspeedError('internal', `engine blob ref mismatch for synthesized text ${i}`);
  });
}

/**
 * `generate`: re-derives the request from state, checks it against the planned fingerprint (the
 * guard against a re-derivation that drifted), calls the provider with retries and returns the
 * runtime result to admit: `generation.finished` with facts, or `generation.failed` once retries are
 * exhausted or the failure is permanent. Throws EffectAborted when cancelled.
 */
export async function performGeneration(state: SessionState, action: GenerateAction, ports: DriverPorts, signal?: AbortSignal): Promise<Command> {
  const request = generationRequest(state, action.runId, action.turnId);
  const fingerprint = fingerprintOf(request);
  if (fingerprint !== action.fingerprint) {
    throw new LightspeedError('internal', `generation request for ${action.turnId} re-derived with fingerprint ${fingerprint}, planned ${action.fingerprint}`);
  }
  const context = { blobs: ports.blobs, ...(ports.live ? { live: ports.live } : {}), ...(signal ? { signal } : {}) };
  const result = await withRetries(ports, () => ports.llm.generate(request, context), signal);
  const retried = usageFields(result);
  if (result.ok) return { type: 'generation.finished', runId: action.runId, turnId: action.turnId, fingerprint, facts: result.value, ...retried };
  return { type: 'generation.failed', runId: action.runId, turnId: action.turnId, failure: result.failure, ...retried };
}

/** `compact`: the compaction counterpart of performGeneration. */
export async function performCompaction(state: SessionState, action: CompactAction, ports: DriverPorts, signal?: AbortSignal): Promise<Command> {
  const request = compactionRequest(state, action.compactionId);
  const fingerprint = fingerprintOf(request);
  if (fingerprint !== action.fingerprint) {
    throw new LightspeedError('internal', `compaction request ${action.compactionId} re-derived with fingerprint ${fingerprint}, planned ${action.fingerprint}`);
  }
  const context = { blobs: ports.blobs, ...(signal ? { signal } : {}) };
  const result = await withRetries(ports, () => ports.llm.compact(request, context), signal);
  const retried = usageFields(result);
  if (result.ok) return { type: 'compaction.finished', compactionId: action.compactionId, facts: result.value, ...retried };
  return { type: 'compaction.failed', compactionId: action.compactionId, failure: result.failure, ...retried };
}

/**
 * The usage fields of a result: the earlier failed attempts' usage and, for a final failure, the
 * last attempt's own. Absent when there is none, so results without retries stay as they were.
 */
function usageFields<T>(result: Retried<T>): { retriedUsage?: Usage[]; usage?: Usage } {
  const fields: { retriedUsage?: Usage[]; usage?: Usage } = {};
  if (result.retriedUsage.length > 0) fields.retriedUsage = result.retriedUsage;
  if (!result.ok && result.usage) fields.usage = result.usage;
  return fields;
}

/**
 * `deliver`: submits an owed message to its receiving session. Any answer of the receiver is final
 * (admitted, or refused: a duplicate of an earlier delivery, a closed or deleted receiver) and is
 * acknowledged with `outbox.delivered`; only a failure to reach it throws, so the host retries.
 */
export async function performDelivery(message: OutboxMessage, ports: DriverPorts): Promise<Command> {
  if (!ports.sessions) throw new LightspeedError('unavailable', `this host cannot deliver message ${message.messageId} to session ${message.to}: it has no session directory`);
  const outcome = await ports.sessions.submit(message.to, message.command);
  return outcome.ok ? { type: 'outbox.delivered', messageId: message.messageId } : { type: 'outbox.delivered', messageId: message.messageId, rejection: outcome.rejection.code };
}

/**
 * One tool call. Tool-level failures are results (isError) produced by the tool itself; a throw is an
 * infrastructure fault, retried, and after the policy gives up turned into a failed result so the
 * model sees what happened and no call is left without a result.
 */
export async function performToolCall(call: ToolInvocation, ports: DriverPorts, signal?: AbortSignal): Promise<Command> {
  const context = { blobs: ports.blobs, ...(signal ? { signal } : {}) };
  const result = await withRetries(ports, () => ports.tools.invoke(call, context), signal);
  let outcome: ToolCallOutcome;
  if (result.ok) {
    outcome = result.value;
  } else {
    const text = `Tool ${call.name} could not run: ${result.failure.message}`;
    const resultRef: BlobRef = (await ports.blobs.put(encoder.encode(text), { mediaType: 'text/plain; charset=utf-8' })).ref;
    outcome = { status: 'failed', resultRef, isError: true, preview: preview(text) };
  }
  return { type: 'tool.finished', runId: call.runId, batchId: call.batchId, callId: call.callId, outcome };
}
