import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { invalidRequest } from '../rpc/api-error.js';

/** Validates a client-supplied content ref (`sha256:<64 hex>`) at the boundary. */
export function requireBlobRef(value: string, field = 'blobRef'): BlobRef {
  if (!isBlobRef(value)) throw invalidRequest(`${field} must be a content ref of the form sha256:<64 hex digits>`);
  return value;
}
