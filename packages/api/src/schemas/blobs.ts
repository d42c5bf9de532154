import { z } from 'zod';
import { cappedArray, MAX_BLOB_HAS_REFS, MAX_BLOB_PUT_ITEMS, SPLIT } from './limits.js';
import { paddedBase64 } from './padded-base64.js';
import { named, uint } from './registry.js';

export const BlobPutItem = named('BlobPutItem', z.object({ bytesBase64: paddedBase64() }));
export const BlobPutParams = named('BlobPutParams', z.object({ blobs: cappedArray(BlobPutItem, MAX_BLOB_PUT_ITEMS, SPLIT).default([]) }));
export const BlobPutResult = named('BlobPutResult', z.object({ blobRef: z.string(), bytes: uint() }));
export const BlobPutResponse = named('BlobPutResponse', z.object({ blobs: z.array(BlobPutResult).default([]) }));

export const BlobReadParams = named('BlobReadParams', z.object({ blobRef: z.string() }));
export const BlobReadResponse = named('BlobReadResponse', z.object({ blobRef: z.string(), bytesBase64: z.string(), bytes: uint() }));

export const BlobHasParams = named('BlobHasParams', z.object({ blobRefs: cappedArray(z.string(), MAX_BLOB_HAS_REFS, SPLIT).default([]) }));
export const BlobHasItem = named('BlobHasItem', z.object({ blobRef: z.string(), exists: z.boolean() }));
export const BlobHasResponse = named('BlobHasResponse', z.object({ blobs: z.array(BlobHasItem).default([]) }));
