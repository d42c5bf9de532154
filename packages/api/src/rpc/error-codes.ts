import type { AgentApiErrorKind } from '../schemas/protocol.js';

/**
 * JSON-RPC error codes. The v1 contract fixes the error *shape* (`data.kind`), not the numbers; the
 * numbers follow the upstream Lightspeed server, because the upstream client derives its error
 * kind from the code alone (-32602 invalid request, -32004 not found, -32009 conflict, -32010
 * rejected, -32603 internal). Standard JSON-RPC codes cover protocol faults.
 */
export const RpcErrorCode = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internal: -32603,
  unauthorized: -32001,
  notFound: -32004,
  conflict: -32009,
  rejected: -32010,
  sessionBootstrapFailed: -32011,
  payloadTooLarge: -32013,
} as const;

/** The code an application error of `kind` is answered with. */
export function codeForKind(kind: AgentApiErrorKind): number {
  switch (kind) {
    case 'not_found':
      return RpcErrorCode.notFound;
    case 'conflict':
      return RpcErrorCode.conflict;
    case 'invalid_request':
      return RpcErrorCode.invalidParams;
    case 'internal':
      return RpcErrorCode.internal;
    case 'session_bootstrap_failed':
      return RpcErrorCode.sessionBootstrapFailed;
    default:
      return RpcErrorCode.rejected;
  }
}

/** Every code with its meaning, for the OpenRPC document and the README. */
export const errorCatalog: readonly { code: number; message: string; kind: AgentApiErrorKind }[] = [
  { code: RpcErrorCode.parseError, message: 'Parse error: the body is not valid JSON', kind: 'invalid_request' },
  { code: RpcErrorCode.invalidRequest, message: 'Invalid request: not a JSON-RPC 2.0 request object', kind: 'invalid_request' },
  { code: RpcErrorCode.methodNotFound, message: 'Method not found', kind: 'not_found' },
  { code: RpcErrorCode.invalidParams, message: 'Invalid params (data.message summarises the schema issues)', kind: 'invalid_request' },
  { code: RpcErrorCode.internal, message: 'Internal error (details are logged server-side, never returned)', kind: 'internal' },
  { code: RpcErrorCode.unauthorized, message: 'Missing or unknown API key', kind: 'rejected' },
  { code: RpcErrorCode.notFound, message: 'The addressed session, run, blob, snapshot or workspace does not exist', kind: 'not_found' },
  { code: RpcErrorCode.conflict, message: 'Conflicts with current state (busy, closed, stale revision, duplicate)', kind: 'conflict' },
  { code: RpcErrorCode.rejected, message: 'Refused: by policy or limits, or not possible in the current state (cancelling or steering a finished run, deleting an open session, removing a reserved run.* key)', kind: 'rejected' },
  { code: RpcErrorCode.sessionBootstrapFailed, message: "The session exists but could not be restored to serve runs", kind: 'session_bootstrap_failed' },
  { code: RpcErrorCode.payloadTooLarge, message: 'Request body exceeds the configured limit', kind: 'invalid_request' },
];
