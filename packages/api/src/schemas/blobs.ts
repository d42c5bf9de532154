import { z } from 'zod';
import { named, uint } from './registry.js';

/** Standard base64 (RFC 4648 §4, padded); whitespace is not accepted. */
const base64 = () => z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be padded standard base64');

export const BlobPutItem = named('BlobPutItem', z.object({ bytesBase64: base64() }));
export const BlobPutParams = named('BlobPutParams', z.object({ blobs: z.array(BlobPutItem).default([]) }));
export const BlobPutResult = named('BlobPutResult', z.object({ blobRef: z.string(), bytes: uint() }));
export const BlobPutResponse = named('BlobPutResponse', z.object({ blobs: z.array(BlobPutResult).default([]) }));

export const BlobReadParams = named('BlobReadParams', z.object({ blobRef: z.string() }));
export const BlobReadResponse = named('BlobReadResponse', z.object({ blobRef: z.string(), bytesBase64: z.string(), bytes: uint() }));

export const BlobHasParams = named('BlobHasParams', z.object({ blobRefs: z.array(z.string()).default([]) }));
export const BlobHasItem = named('BlobHasItem', z.object({ blobRef: z.string(), exists: z.boolean() }));
export const BlobHasResponse = named('BlobHasResponse', z.object({ blobs: z.array(BlobHasItem).default([]) }));
