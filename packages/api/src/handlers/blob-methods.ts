import { isBlobRef } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import { notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import { requireBlobRef } from './blob-refs.js';

/** blobs/put, blobs/read, blobs/has over the caller's universe-scoped BlobStore. */
export function blobMethods(blobsOf: (universe: string) => BlobStore): MethodHandlers {
  return {
    'blobs/put': async ({ blobs }, { universe }) => {
      const stats = await blobsOf(universe).putMany(blobs.map((item) => ({ bytes: new Uint8Array(Buffer.from(item.bytesBase64, 'base64')) })));
      return { result: { blobs: stats.map((stat) => ({ blobRef: stat.ref, bytes: stat.size })) } };
    },
    'blobs/read': async ({ blobRef }, { universe }) => {
      const ref = requireBlobRef(blobRef);
      const bytes = await blobsOf(universe).get(ref);
      if (bytes === undefined) throw notFound(`blob ${ref} does not exist in this universe; upload it with blobs/put`);
      return { result: { blobRef: ref, bytes: bytes.byteLength, bytesBase64: Buffer.from(bytes).toString('base64') } };
    },
    'blobs/has': async ({ blobRefs }, { universe }) => {
      const store = blobsOf(universe);
      const blobs = await Promise.all(
        // A malformed ref cannot name a stored blob: it simply does not exist.
        blobRefs.map(async (blobRef) => ({ blobRef, exists: isBlobRef(blobRef) && (await store.has(blobRef)) })),
      );
      return { result: { blobs } };
    },
  };
}
