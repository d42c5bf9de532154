import { ERROR_CATALOG, type ErrorCode } from './generated/methods.js';
import type { AgentApiErrorKind } from './generated/wire-types.js';

/** Every error this client throws, except an abort (which rejects with the signal's reason). */
export class LightspeedClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The server could not be reached (refused, reset, DNS): nothing was answered. */
export class ConnectionError extends LightspeedClientError {
  constructor(
    readonly baseUrl: string,
    cause: unknown,
  ) {
    const reason = (cause as { cause?: { message?: string } } | undefined)?.cause?.message ?? (cause as Error | undefined)?.message ?? String(cause);
    super(`cannot reach ${baseUrl}: ${reason}`, { cause });
  }
}

/** The call (or a stream's subscription, or `awaitRun`) took longer than its `timeoutMs`. */
export class TimeoutError extends LightspeedClientError {
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation}: no answer within ${timeoutMs} ms`);
  }
}

/** The server answered, but not in the protocol (no JSON-RPC body, an unexpected status). */
export class ProtocolError extends LightspeedClientError {
  constructor(
    readonly operation: string,
    readonly status: number,
    message: string,
  ) {
    super(`${operation}: ${message}`);
  }
}

/** A live stream ended and could not be resumed (the server kept dropping it, or went away). */
export class StreamClosedError extends LightspeedClientError {}

/**
 * An error the server answered with: its JSON-RPC `code`, the contract's error `kind` (`data.kind`)
 * and its message, which says what to do next. Catch a subclass to handle one code.
 */
export class LightspeedRpcError extends LightspeedClientError {
  constructor(
    /** The method (or route, e.g. `PUT /blobs`) that failed. */
    readonly method: string,
    readonly code: number,
    readonly kind: AgentApiErrorKind | undefined,
    /** The server's message, without the method prefix. */
    readonly serverMessage: string,
  ) {
    super(`${method}: ${serverMessage}`);
  }
}

export class ParseError extends LightspeedRpcError {}
export class InvalidRequestError extends LightspeedRpcError {}
export class MethodNotFoundError extends LightspeedRpcError {}
export class InvalidParamsError extends LightspeedRpcError {}
export class InternalError extends LightspeedRpcError {}
export class UnauthorizedError extends LightspeedRpcError {}
export class NotFoundError extends LightspeedRpcError {}
export class ConflictError extends LightspeedRpcError {}
export class RejectedError extends LightspeedRpcError {}
export class SessionBootstrapFailedError extends LightspeedRpcError {}
export class PayloadTooLargeError extends LightspeedRpcError {}

type RpcErrorClass = new (method: string, code: number, kind: AgentApiErrorKind | undefined, message: string) => LightspeedRpcError;

/**
 * The class of each code in the contract's error catalog. Typed by the generated catalog, so a code
 * added to the API fails the build here until it has a class.
 */
export const ERROR_CLASSES: { readonly [C in ErrorCode]: RpcErrorClass } = {
  [-32700]: ParseError,
  [-32600]: InvalidRequestError,
  [-32601]: MethodNotFoundError,
  [-32602]: InvalidParamsError,
  [-32603]: InternalError,
  [-32001]: UnauthorizedError,
  [-32004]: NotFoundError,
  [-32009]: ConflictError,
  [-32010]: RejectedError,
  [-32011]: SessionBootstrapFailedError,
  [-32013]: PayloadTooLargeError,
};

/** The code the server answers an application error of `kind` with (REST routes and streams send only the kind). */
const KIND_CODES: Partial<Record<AgentApiErrorKind, ErrorCode>> = {
  not_found: -32004,
  conflict: -32009,
  invalid_request: -32602,
  internal: -32603,
  session_bootstrap_failed: -32011,
};

function isCatalogued(code: number): code is ErrorCode {
  return ERROR_CATALOG.some((entry) => entry.code === code);
}

/** The typed error for a JSON-RPC error object. */
export function rpcError(method: string, error: { code?: unknown; message?: unknown; data?: unknown }): LightspeedRpcError {
  const code = typeof error.code === 'number' ? error.code : -32603;
  const kind = (error.data as { kind?: AgentApiErrorKind } | null | undefined)?.kind;
  const message = typeof error.message === 'string' ? error.message : 'error';
  const Class = isCatalogued(code) ? ERROR_CLASSES[code] : LightspeedRpcError;
  return new Class(method, code, kind, message);
}

/** The typed error for an error that carries only a kind (`{error: {kind, message}}` of a REST route, a stream's `error` event). */
export function kindError(operation: string, kind: AgentApiErrorKind | undefined, message: string, status?: number): LightspeedRpcError {
  const code = status === 401 ? -32001 : status === 413 ? -32013 : (kind && KIND_CODES[kind]) ?? -32010;
  return rpcError(operation, { code, message, data: kind ? { kind } : null });
}
