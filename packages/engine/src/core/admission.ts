import type { BlobRef } from '../values/digest.js';
import type { EventDraft } from '../log/log.js';

/** Why a command was refused. Stable codes; the message says what to do next. */
export interface Rejection {
  code: 'conflict' | 'not_found' | 'invalid' | 'busy' | 'duplicate' | 'closed' | 'limit';
  message: string;
  details?: Record<string, unknown>;
}

/** Per-key outcome of `context.put` / `context.remove`. */
export interface ContextKeyResult {
  key: string;
  status: 'applied' | 'unchanged';
  entryId?: string;
  revision?: number;
}

/** What an accepted command answers (fields depend on the command). */
export interface AdmitResult {
  sessionId?: string;
  configRevision?: number;
  toolsRevision?: number;
  contextRevision?: number;
  entries?: ContextKeyResult[];
  runId?: string;
  duplicate?: boolean;
  steeringId?: string;
  compactionId?: string;
  promiseId?: string;
}

/** A text the engine synthesised (cancelled / unavailable results) that must be in CAS before the append. */
export interface SynthesizedBlob {
  ref: BlobRef;
  text: string;
}

/**
 * The answer of `admit`. On success `events` are to be stamped and appended (possibly none: an
 * idempotent retry). `blobs`, when present (force cancel / force close synthesise cancelled tool
 * results), must be written to CAS before the append, exactly like an `append` action's blobs.
 */
export type Admission =
  | { ok: true; events: EventDraft[]; result?: AdmitResult; blobs?: SynthesizedBlob[] }
  | { ok: false; rejection: Rejection };

export function reject(code: Rejection['code'], message: string, details?: Record<string, unknown>): Admission {
  return details === undefined ? { ok: false, rejection: { code, message } } : { ok: false, rejection: { code, message, details } };
}

export function accept(events: EventDraft[], result?: AdmitResult, blobs?: SynthesizedBlob[]): Admission {
  const admission: Admission = { ok: true, events };
  if (result !== undefined) admission.result = result;
  if (blobs !== undefined && blobs.length > 0) admission.blobs = blobs;
  return admission;
}
