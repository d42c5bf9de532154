import type { FakeFaultScript } from './script.js';
import type { FakeProtocol } from './request-view.js';

export interface RenderedFault {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

interface FaultShape {
  status: number;
  openaiType: string;
  openaiCode: string | null;
  anthropicType: string;
  message: string;
}

/** Each fault as the real providers report it (status, error type/code, typical wording). */
const SHAPES: Record<FakeFaultScript['kind'], FaultShape> = {
  rate_limit: { status: 429, openaiType: 'requests', openaiCode: 'rate_limit_exceeded', anthropicType: 'rate_limit_error', message: 'Rate limit reached for requests (fake provider).' },
  overloaded: { status: 529, openaiType: 'server_error', openaiCode: 'overloaded', anthropicType: 'overloaded_error', message: 'Overloaded (fake provider).' },
  server: { status: 500, openaiType: 'server_error', openaiCode: null, anthropicType: 'api_error', message: 'Internal server error (fake provider).' },
  auth: { status: 401, openaiType: 'invalid_request_error', openaiCode: 'invalid_api_key', anthropicType: 'authentication_error', message: 'Incorrect API key provided (fake provider).' },
  invalid_request: { status: 400, openaiType: 'invalid_request_error', openaiCode: null, anthropicType: 'invalid_request_error', message: 'Invalid request (fake provider).' },
  context_length: {
    status: 400,
    openaiType: 'invalid_request_error',
    openaiCode: 'context_length_exceeded',
    anthropicType: 'invalid_request_error',
    message: 'prompt is too long: 210000 tokens > 200000 maximum (fake provider).',
  },
  content_filter: { status: 400, openaiType: 'invalid_request_error', openaiCode: 'content_policy_violation', anthropicType: 'invalid_request_error', message: 'Output blocked by content filtering policy (fake provider).' },
  quota: { status: 429, openaiType: 'insufficient_quota', openaiCode: 'insufficient_quota', anthropicType: 'billing_error', message: 'You exceeded your current quota (fake provider).' },
};

export function renderFault(protocol: FakeProtocol, fault: FakeFaultScript): RenderedFault {
  const shape = SHAPES[fault.kind];
  const message = fault.message ?? shape.message;
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
  if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
  let status = fault.status ?? shape.status;
  if (protocol === 'anthropic:messages') {
    if (fault.kind === 'quota' && fault.status === undefined) status = 402;
    return { status, headers, body: { type: 'error', error: { type: shape.anthropicType, message } } };
  }
  return { status, headers, body: { error: { message, type: shape.openaiType, param: null, code: shape.openaiCode } } };
}

/** The same fault as an in-stream error event payload. */
export function streamFaultPayload(protocol: FakeProtocol, fault: FakeFaultScript): Record<string, unknown> {
  return renderFault(protocol, fault).body;
}
