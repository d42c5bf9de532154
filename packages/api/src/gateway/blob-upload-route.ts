import { DiskFullError, isLightspeedError, type BlobStore } from '@lightspeed/ports';
import type { Context } from 'hono';
import { toApiError } from '../rpc/api-error.js';
import type { AgentApiErrorKind } from '../schemas/protocol.js';
import { declaredLength, readBoundedBytes, type BodyFailure } from './bounded-body.js';
import type { ResolvedGatewayOptions } from './gateway-options.js';
import type { UploadBudget } from './upload-budget.js';

export interface BlobUploadDeps {
  blobsOf: (universe: string) => BlobStore;
  budget: UploadBudget;
  options: ResolvedGatewayOptions;
}

type Status = 400 | 404 | 408 | 413 | 500 | 503;

function failure(c: Context, status: Status, kind: AgentApiErrorKind, message: string, headers: Record<string, string> = {}): Response {
  return c.json({ error: { kind, message } }, status, headers);
}

function bodyFailure(c: Context, reason: BodyFailure, maxBytes: number): Response {
  switch (reason) {
    case 'too_large':
      return failure(c, 413, 'invalid_request', `the blob exceeds this server's upload limit of ${maxBytes} bytes`);
    case 'stalled':
      return failure(c, 408, 'invalid_request', 'the upload stalled (no bytes for too long); retry it');
    default:
      return failure(c, 400, 'invalid_request', 'the upload body could not be read; retry it');
  }
}

/**
 * `PUT /blobs` (our extension beside `blobs/put`): the raw body is one blob, answered with the
 * contract's `BlobPutResult` (`{blobRef, bytes}`). No base64 and no JSON envelope, so a blob may
 * be as large as `maxBlobUploadBytes` instead of what fits a JSON-RPC body. The bytes are held in
 * memory once (the store port takes whole blobs), under a server-wide in-flight budget.
 */
export async function uploadBlob(c: Context, universe: string, deps: BlobUploadDeps): Promise<Response> {
  const { options, budget } = deps;
  const max = options.maxBlobUploadBytes;
  const declared = declaredLength(c.req.raw);
  if (declared !== undefined && declared > max) {
    await c.req.raw.body?.cancel().catch(() => undefined);
    return bodyFailure(c, 'too_large', max);
  }
  const reserved = declared ?? max;
  if (!budget.tryReserve(reserved)) {
    await c.req.raw.body?.cancel().catch(() => undefined);
    return failure(c, 503, 'rejected', 'the server is receiving too many uploads at once; retry in a moment', { 'retry-after': '1' });
  }
  try {
    const body = await readBoundedBytes(c.req.raw, { maxBytes: max, idleTimeoutMs: options.bodyIdleTimeoutMs });
    if (!body.ok) return bodyFailure(c, body.reason, max);
    const stat = await deps.blobsOf(universe).put(body.bytes);
    return c.json({ blobRef: stat.ref, bytes: stat.size });
  } catch (error) {
    // The store's own limit may be lower than the gateway's.
    if (isLightspeedError(error) && error.code === 'too_large') return failure(c, 413, 'invalid_request', error.message);
    const apiError = toApiError(error, (cause) => options.onInternalError(cause, 'PUT /blobs'));
    // 503: the server cannot store anything right now; the same upload succeeds once space is freed.
    return failure(c, error instanceof DiskFullError ? 503 : apiError.kind === 'internal' ? 500 : 400, apiError.kind, apiError.message);
  } finally {
    budget.release(reserved);
  }
}
