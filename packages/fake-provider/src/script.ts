import { parseRecording } from './recording.js';
import { FakeScriptError } from './script-error.js';

/**
 * A script tells the fake provider what one response looks like. It is protocol-neutral: the same
 * script renders as an OpenAI Responses, Chat Completions or Anthropic Messages reply, streamed or not.
 */
export interface FakeToolCallScript {
  name: string;
  /** Arguments as a JSON value or as raw JSON text (sent exactly as given). */
  arguments?: unknown;
  /** Provider call id; generated when absent. */
  id?: string;
}

export interface FakeReasoningScript {
  /** Reasoning summary text (OpenAI summary / Anthropic thinking text / chat `reasoning_content`). */
  text: string;
  /** OpenAI reasoning `encrypted_content`; generated when absent. */
  encryptedContent?: string;
  /** Anthropic thinking `signature`; generated when absent. */
  signature?: string;
}

export interface FakeUsageScript {
  input?: number;
  cachedInput?: number;
  cacheWrite?: number;
  output?: number;
  reasoning?: number;
}

/** Protocol-native HTTP failures; each protocol renders its own status, body and headers. */
export type FakeFaultKind =
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'auth'
  | 'invalid_request'
  | 'context_length'
  | 'content_filter'
  | 'quota';

export interface FakeFaultScript {
  kind: FakeFaultKind;
  message?: string;
  /** `Retry-After` header value, seconds or an HTTP date (sent verbatim). */
  retryAfter?: string;
  /** `retry-after-ms` header value. */
  retryAfterMs?: number;
  /** Overrides the protocol's default status for this fault. */
  status?: number;
}

export type FakeFinish = 'stop' | 'length' | 'context_length' | 'content_filter';

export interface FakeScript {
  text?: string;
  reasoning?: FakeReasoningScript;
  toolCalls?: FakeToolCallScript[];
  /** A refusal instead of (or before) text. */
  refusal?: string;
  /** How the reply ends when it is not a tool call turn. Default `stop`. */
  finish?: FakeFinish;
  usage?: FakeUsageScript;
  /** Reply with an HTTP error instead of a response. */
  fault?: FakeFaultScript;
  /** Emit the fault as an in-stream error event after this many events (streaming only). */
  faultAfterEvents?: number;
  /** Delay before the first byte of the response (slow first token). */
  firstTokenDelayMs?: number;
  /** Delay between streamed events. */
  chunkLatencyMs?: number;
  /** Cut the connection after this many streamed events (no terminal event is sent). */
  truncateAfterEvents?: number;
  /** Send a non-JSON `data:` line after this many streamed events. */
  malformedAfterEvents?: number;
  /** Characters per text/argument delta. Default 16. */
  chunkChars?: number;
  /**
   * A recorded provider response to send instead of a scripted one: SSE text, JSON lines (one
   * event per line) or one JSON body, in the protocol of the request (see `parseRecording`).
   * Timing, truncation, malformed-line and fault fields still apply; content fields do not.
   */
  replay?: string;
}

export { FakeScriptError } from './script-error.js';

const FAULT_KINDS = new Set<FakeFaultKind>(['rate_limit', 'overloaded', 'server', 'auth', 'invalid_request', 'context_length', 'content_filter', 'quota']);
const FINISHES = new Set<FakeFinish>(['stop', 'length', 'context_length', 'content_filter']);
const KNOWN_KEYS = new Set([
  'text',
  'reasoning',
  'toolCalls',
  'refusal',
  'finish',
  'usage',
  'fault',
  'faultAfterEvents',
  'firstTokenDelayMs',
  'chunkLatencyMs',
  'truncateAfterEvents',
  'malformedAfterEvents',
  'chunkChars',
  'replay',
]);

/** Fields that describe content, which a replayed recording already fixes. */
const CONTENT_KEYS = ['text', 'reasoning', 'toolCalls', 'refusal', 'finish', 'usage', 'chunkChars'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(script: Record<string, unknown>, key: string): void {
  const value = script[key];
  if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
    throw new FakeScriptError(`script.${key} must be a non-negative number`);
  }
}

/** Validates a script received over HTTP so a typo fails loudly instead of silently echoing. */
export function parseFakeScript(value: unknown): FakeScript {
  if (!isRecord(value)) throw new FakeScriptError('a fake script must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key)) throw new FakeScriptError(`unknown script field "${key}"`);
  }
  if (value.text !== undefined && typeof value.text !== 'string') throw new FakeScriptError('script.text must be a string');
  if (value.refusal !== undefined && typeof value.refusal !== 'string') throw new FakeScriptError('script.refusal must be a string');
  if (value.finish !== undefined && !FINISHES.has(value.finish as FakeFinish)) throw new FakeScriptError(`script.finish must be one of ${[...FINISHES].join(', ')}`);
  if (value.reasoning !== undefined && (!isRecord(value.reasoning) || typeof value.reasoning.text !== 'string')) {
    throw new FakeScriptError('script.reasoning must be {text, encryptedContent?, signature?}');
  }
  if (value.toolCalls !== undefined) {
    if (!Array.isArray(value.toolCalls)) throw new FakeScriptError('script.toolCalls must be an array');
    for (const call of value.toolCalls) {
      if (!isRecord(call) || typeof call.name !== 'string' || call.name === '') throw new FakeScriptError('each tool call needs a name');
    }
  }
  if (value.usage !== undefined && !isRecord(value.usage)) throw new FakeScriptError('script.usage must be an object');
  if (value.fault !== undefined) {
    if (!isRecord(value.fault) || !FAULT_KINDS.has(value.fault.kind as FakeFaultKind)) {
      throw new FakeScriptError(`script.fault.kind must be one of ${[...FAULT_KINDS].join(', ')}`);
    }
  }
  if (value.replay !== undefined) {
    if (typeof value.replay !== 'string') throw new FakeScriptError('script.replay must be the recording as text (SSE, JSON lines or a JSON body)');
    const ignored = CONTENT_KEYS.filter((key) => value[key] !== undefined);
    if (ignored.length > 0) throw new FakeScriptError(`script.${ignored[0]} has no effect with script.replay: the recording fixes the content`);
    parseRecording(value.replay);
  }
  for (const key of ['faultAfterEvents', 'firstTokenDelayMs', 'chunkLatencyMs', 'truncateAfterEvents', 'malformedAfterEvents', 'chunkChars']) {
    optionalNumber(value, key);
  }
  return value as FakeScript;
}
