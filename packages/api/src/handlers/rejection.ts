import type { Rejection } from '@lightspeed/engine';
import { ApiError } from '../rpc/api-error.js';
import type { AgentApiErrorKind } from '../schemas/protocol.js';

/**
 * Engine rejections → contract error kinds. Busy, closed and duplicate all mean "this conflicts
 * with the session's current state" (wait, reopen, or pick a new submissionId); limits are policy.
 */
const KIND: Record<Rejection['code'], AgentApiErrorKind> = {
  not_found: 'not_found',
  invalid: 'invalid_request',
  conflict: 'conflict',
  busy: 'conflict',
  closed: 'conflict',
  duplicate: 'conflict',
  limit: 'rejected',
};

export function rejectionError(rejection: Rejection): ApiError {
  return new ApiError(KIND[rejection.code] ?? 'rejected', rejection.message);
}
