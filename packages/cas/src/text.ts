import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stores UTF-8 text and returns its ref. */
export async function putText(blobs: BlobStore, text: string, mediaType = 'text/plain; charset=utf-8'): Promise<BlobRef> {
  return (await blobs.put(encoder.encode(text), { mediaType })).ref;
}

/** Stores a value as JSON and returns its ref. */
export async function putJson(blobs: BlobStore, value: unknown): Promise<BlobRef> {
  return (await blobs.put(encoder.encode(JSON.stringify(value)), { mediaType: 'application/json' })).ref;
}

/** Reads a blob as UTF-8 text; a missing blob is a `not_found` error. */
export async function getText(blobs: BlobStore, ref: BlobRef): Promise<string> {
  const bytes = await blobs.get(ref);
  if (bytes === undefined) throw new LightspeedError('not_found', `blob ${ref} is not in this store`, { ref });
  return decoder.decode(bytes);
}

export async function getJson<T = unknown>(blobs: BlobStore, ref: BlobRef): Promise<T> {
  return JSON.parse(await getText(blobs, ref)) as T;
}
