import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { hasEach, type BlobStore } from '@lightspeed/ports';
import { notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import { requireBlobRef } from './blob-refs.js';

/** Refs per store lookup in blobs/has: one SQL statement each on the SQL store. */
export const BLOB_HAS_BATCH = 250;

/**
 * Which of `blobRefs` exist, in order, looked up `BLOB_HAS_BATCH` at a time with a turn of the event
 * loop between batches, so a large check never holds up other callers' requests (a 100,000-ref
 * check answered with one store query per ref, all at once, once delayed a session/read by 12 s).
 */
async function existing(store: BlobStore, blobRefs: readonly string[]): Promise<boolean[]> {
  const exists = new Array<boolean>(blobRefs.length).fill(false);
  // A malformed ref cannot name a stored blob: it simply does not exist.
  const valid = blobRefs.flatMap((ref, i) => (isBlobRef(ref) ? [i] : []));
  for (let start = 0; start < valid.length; start += BLOB_HAS_BATCH) {
    if (start > 0) await yieldToEventLoop();
    const batch = valid.slice(start, start + BLOB_HAS_BATCH);
    const found = await hasEach(store, batch.map((i) => blobRefs[i] as BlobRef));
    batch.forEach((index, j) => (exists[index] = found[j] === true));
  }
  return exists;
}

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
      const exists = await existing(blobsOf(universe), blobRefs);
      return { result: { blobs: blobRefs.map((blobRef, i) => ({ blobRef, exists: exists[i]! })) } };
    },
  };
}
