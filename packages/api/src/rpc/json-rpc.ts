import type { JsonRpcError } from '../schemas/protocol.js';

export type JsonRpcId = string | number | null;

export interface JsonRpcRequest {
  id?: JsonRpcId;
  method: string;
  params?: unknown;
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcId; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcId; error: JsonRpcError };

/** Longest id string echoed back; longer ids are refused rather than reflected. */
export const MAX_ID_LENGTH = 256;

export function errorResponse(id: JsonRpcId, error: JsonRpcError): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error };
}

/** The id to answer an unusable request with: its own id when that id is well-formed, else null. */
export function salvageId(value: unknown): JsonRpcId {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const id = (value as { id?: unknown }).id;
  return isValidId(id) ? id : null;
}

export function isValidId(id: unknown): id is JsonRpcId {
  if (id === null) return true;
  if (typeof id === 'string') return id.length <= MAX_ID_LENGTH;
  return typeof id === 'number' && Number.isSafeInteger(id);
}

/**
 * Checks the JSON-RPC 2.0 request envelope. Returns the request, or a reason it is invalid.
 * `jsonrpc` may be absent: the upstream Lightspeed client sends `{id, method, params}` and the
 * upstream server accepts it; a present member must still be exactly "2.0". Fractional and unsafe
 * numeric ids are refused (the spec discourages fractions; unsafe integers would not round-trip
 * through JSON.parse).
 */
export function parseEnvelope(value: unknown): { ok: true; request: JsonRpcRequest } | { ok: false; reason: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, reason: 'a request must be a JSON object' };
  const candidate = value as Record<string, unknown>;
  if ('jsonrpc' in candidate && candidate.jsonrpc !== '2.0') return { ok: false, reason: 'jsonrpc must be exactly "2.0" when present' };
  if (typeof candidate.method !== 'string' || candidate.method.length === 0) return { ok: false, reason: 'method must be a non-empty string' };
  if ('id' in candidate && !isValidId(candidate.id)) {
    return { ok: false, reason: `id must be a string of at most ${MAX_ID_LENGTH} characters, a safe integer, or null` };
  }
  if ('params' in candidate && (typeof candidate.params !== 'object' || candidate.params === null)) {
    return { ok: false, reason: 'params must be an object or an array when present' };
  }
  const request: JsonRpcRequest = { method: candidate.method, params: candidate.params };
  if ('id' in candidate) request.id = candidate.id as JsonRpcId;
  return { ok: true, request };
}
