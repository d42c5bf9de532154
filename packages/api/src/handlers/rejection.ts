import type { Command, Rejection } from '@lightspeed/engine';
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

/**
 * Commands whose engine `conflict` is, upstream, a `rejected`: cancelling a finished run and
 * steering a run that is not running cannot succeed by retrying or re-reading, so the upstream
 * server answers them as refusals (-32010), and its client branches on that.
 */
const CONFLICT_IS_REJECTED: ReadonlySet<Command['type']> = new Set(['run.cancel', 'run.steer']);

export function rejectionError(rejection: Rejection, commandType?: Command['type']): ApiError {
  const kind = KIND[rejection.code] ?? 'rejected';
  if (rejection.code === 'conflict' && commandType !== undefined && CONFLICT_IS_REJECTED.has(commandType)) return new ApiError('rejected', rejection.message);
  return new ApiError(kind, rejection.message);
}
