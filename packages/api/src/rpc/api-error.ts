import { InvariantViolation } from '@lightspeed/engine';
import { DiskFullError, isLightspeedError } from '@lightspeed/ports';
import type { AgentApiErrorKind } from '../schemas/protocol.js';
import { codeForKind } from './error-codes.js';

/**
 * An application error bound for the wire: a contract error kind, a JSON-RPC code and a message
 * that is safe to show (it says what to do next and never carries secrets or stack traces).
 */
export class ApiError extends Error {
  readonly kind: AgentApiErrorKind;
  readonly code: number;
  constructor(kind: AgentApiErrorKind, message: string, code: number = codeForKind(kind)) {
    super(message);
    this.name = 'ApiError';
    this.kind = kind;
    this.code = code;
  }
}

export const notFound = (message: string) => new ApiError('not_found', message);
export const conflict = (message: string) => new ApiError('conflict', message);
export const rejected = (message: string) => new ApiError('rejected', message);
export const invalidRequest = (message: string) => new ApiError('invalid_request', message);

export const DISK_FULL_MESSAGE = 'the server ran out of disk space and could not save this; retry once its operator has freed space (the server log names the path)';

/**
 * Maps anything a handler throws onto the wire. Typed port errors keep their (already safe)
 * message; anything else becomes an opaque `internal` error and is reported to `onInternal`.
 */
export function toApiError(error: unknown, onInternal: (error: unknown) => void): ApiError {
  if (error instanceof ApiError) return error;
  if (isLightspeedError(error)) {
    switch (error.code) {
      case 'not_found':
        return notFound(error.message);
      case 'conflict':
      case 'locked':
        return conflict(error.message);
      case 'invalid':
        return invalidRequest(error.message);
      case 'too_large':
      case 'forbidden':
        return rejected(error.message);
      default:
        break;
    }
  }
  onInternal(error);
  // A log that no longer folds (the engine's invariant check) means the session exists but cannot
  // be restored: the contract's session_bootstrap_failed, so clients treat it as a recovery problem.
  if (error instanceof InvariantViolation) {
    return new ApiError('session_bootstrap_failed', 'the session exists but its log could not be restored to serve it; the server logged the details');
  }
  // The contract has no kind for it, but the caller can act on it: retry once space is freed.
  // The path stays in the server log: it describes the server's disks, not the caller's request.
  if (error instanceof DiskFullError) return new ApiError('internal', DISK_FULL_MESSAGE);
  return new ApiError('internal', 'internal error; the server logged the details');
}
