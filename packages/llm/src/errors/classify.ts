import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { RETRYABLE_ERROR_CLASSES, type GenerationFailure, type ProviderErrorClass, type Usage } from '@lightspeed/engine';
import { ProviderError } from '@lightspeed/ports';
import { redactSecrets } from './redact.js';
import { retryAfterMs } from './retry-after.js';
import { StreamIncompleteError } from './stream-incomplete.js';

/** What a provider told us about a failure, whichever SDK or stream event it came from. */
export interface FailureSignal {
  status?: number;
  /** Provider error code (`context_length_exceeded`, `insufficient_quota`…). */
  code?: string;
  /** Provider error type (`overloaded_error`, `rate_limit_error`, `server_error`…). */
  type?: string;
  message: string;
  headers?: { get(name: string): string | null };
}

const CONTEXT_LENGTH_CODES = new Set(['context_length_exceeded', 'string_above_max_length', 'model_context_window_exceeded']);
const CONTEXT_LENGTH_TEXT = /prompt is too long|context[_ ]length|context window|maximum context|too many (input )?tokens|reduce the length of the messages|input is too long/i;
const CONTENT_FILTER_CODES = new Set(['content_filter', 'content_policy_violation', 'invalid_prompt', 'cyber_policy_violation']);
const CONTENT_FILTER_TEXT = /content (management )?policy|content[_ ]filter|flagged as potentially violating|safety system/i;
const QUOTA_CODES = new Set(['insufficient_quota', 'billing_hard_limit_reached', 'billing_error', 'billing_not_active']);

function classOf(signal: FailureSignal): ProviderErrorClass {
  const code = signal.code ?? '';
  const type = signal.type ?? '';
  if (QUOTA_CODES.has(code) || QUOTA_CODES.has(type) || signal.status === 402) return 'quota';
  if (CONTEXT_LENGTH_CODES.has(code) || ((signal.status === undefined || signal.status === 400 || signal.status === 413) && CONTEXT_LENGTH_TEXT.test(signal.message))) return 'context_length';
  if (CONTENT_FILTER_CODES.has(code) || (signal.status !== undefined && signal.status < 500 && CONTENT_FILTER_TEXT.test(signal.message))) return 'content_filter';
  if (type === 'overloaded_error' || code === 'overloaded' || signal.status === 529 || signal.status === 503) return 'overloaded';
  if (type === 'rate_limit_error' || code === 'rate_limit_exceeded' || signal.status === 429) return 'rate_limit';
  if (type === 'authentication_error' || type === 'permission_error' || code === 'invalid_api_key' || signal.status === 401 || signal.status === 403) return 'auth';
  if (signal.status === 408 || type === 'timeout_error') return 'timeout';
  if (signal.status !== undefined && signal.status >= 500) return 'server';
  if (type === 'api_error' || type === 'server_error' || code === 'server_error') return 'server';
  if (signal.status !== undefined && signal.status >= 400) return 'invalid_request';
  if (type === 'invalid_request_error' || type === 'not_found_error' || type === 'request_too_large') return 'invalid_request';
  return 'server';
}

/** Builds the failure fact: bounded, scrubbed message; retryable only for transient classes. */
export function failureOf(signal: FailureSignal, secrets: readonly (string | undefined)[]): GenerationFailure {
  const errorClass = classOf(signal);
  const failure: GenerationFailure = {
    errorClass,
    message: redactSecrets(signal.message, secrets),
    retryable: RETRYABLE_ERROR_CLASSES.has(errorClass),
  };
  if (signal.status !== undefined) failure.status = signal.status;
  if (errorClass === 'rate_limit' || errorClass === 'overloaded' || errorClass === 'server') {
    const wait = retryAfterMs(signal.headers);
    if (wait !== undefined) failure.retryAfterMs = wait;
  }
  return failure;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Reads status, code, type and message off either SDK's APIError (their body shapes differ). */
function signalOfApiError(error: InstanceType<typeof OpenAI.APIError> | InstanceType<typeof Anthropic.APIError>): FailureSignal {
  const body = record(error.error);
  // Anthropic: {type:'error', error:{type, message}}; OpenAI: the inner {message, type, code}.
  const inner = body.type === 'error' ? record(body.error) : body;
  const signal: FailureSignal = { message: str(inner.message) ?? error.message };
  if (error.status !== undefined) signal.status = error.status;
  const code = str(inner.code) ?? ('code' in error ? str(error.code) : undefined);
  if (code !== undefined) signal.code = code;
  const type = str(inner.type) ?? ('type' in error ? str(error.type) : undefined);
  if (type !== undefined) signal.type = type;
  if (error.headers) signal.headers = error.headers;
  return signal;
}

function isAbort(error: unknown): boolean {
  return error instanceof OpenAI.APIUserAbortError || error instanceof Anthropic.APIUserAbortError || (error instanceof Error && error.name === 'AbortError');
}

function failure(errorClass: ProviderErrorClass, message: string, secrets: readonly (string | undefined)[]): GenerationFailure {
  return { errorClass, message: redactSecrets(message, secrets), retryable: RETRYABLE_ERROR_CLASSES.has(errorClass) };
}

/**
 * Turns anything an SDK call or stream threw into a classified ProviderError. Credentials are
 * scrubbed from every message: the SDKs never echo keys, but proxies and custom servers might.
 */
export function toProviderError(error: unknown, options: { signal?: AbortSignal; secrets?: readonly (string | undefined)[] } = {}): ProviderError {
  const secrets = options.secrets ?? [];
  if (error instanceof ProviderError) return error;
  if (options.signal?.aborted || isAbort(error)) return new ProviderError(failure('cancelled', 'the generation was cancelled', secrets));
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof Anthropic.APIConnectionTimeoutError) {
    return new ProviderError(failure('timeout', 'the provider did not answer before the request timeout', secrets));
  }
  if (error instanceof OpenAI.APIConnectionError || error instanceof Anthropic.APIConnectionError) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return new ProviderError(failure('network', `could not reach the provider${cause}`, secrets));
  }
  if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) return new ProviderError(failureOf(signalOfApiError(error), secrets));
  if (error instanceof StreamIncompleteError) return new ProviderError(failure('network', error.message, secrets));
  if (error instanceof SyntaxError) return new ProviderError(failure('server', `the provider sent a malformed stream event (${error.message})`, secrets));
  if (error instanceof Error && /ECONNRESET|EPIPE|ECONNREFUSED|socket hang up|other side closed|terminated|fetch failed/i.test(`${error.message} ${String((error as { cause?: unknown }).cause ?? '')}`)) {
    return new ProviderError(failure('network', `the connection to the provider failed mid-stream: ${error.message}`, secrets));
  }
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(failure('server', `unexpected provider failure: ${message}`, secrets));
}

/** The same failure, carrying what the failed attempt consumed as the provider reported it. */
export function withUsage(error: ProviderError, usage: Usage | undefined): ProviderError {
  if (usage === undefined || error.usage !== undefined) return error;
  return new ProviderError(error.failure, usage);
}
