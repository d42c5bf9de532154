import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';

interface CachedBlob {
  bytes: Uint8Array;
  mediaType: string | undefined;
}

const MAX_CACHED_BYTES = 32 * 1024 * 1024;
const decoder = new TextDecoder();

/**
 * Reads context blobs with a small per-store cache. Blobs are immutable (content-addressed), so a
 * cached copy is never stale; the cache is keyed by store so one universe never sees another's
 * blobs. It keeps the instructions and tool definitions, re-read every turn, off the store.
 */
export class BlobReader {
  private static readonly caches = new WeakMap<BlobStore, { blobs: Map<BlobRef, CachedBlob>; bytes: number }>();

  constructor(private readonly blobs: BlobStore) {}

  async read(ref: BlobRef): Promise<CachedBlob> {
    let cache = BlobReader.caches.get(this.blobs);
    if (!cache) {
      cache = { blobs: new Map(), bytes: 0 };
      BlobReader.caches.set(this.blobs, cache);
    }
    const hit = cache.blobs.get(ref);
    if (hit) return hit;
    const bytes = await this.blobs.get(ref);
    if (bytes === undefined) throw new LightspeedError('not_found', `context blob ${ref} is not in this store; the context references content that was never stored`, { ref });
    const stat = await this.blobs.stat(ref);
    const blob: CachedBlob = { bytes, mediaType: stat?.mediaType };
    if (bytes.byteLength <= MAX_CACHED_BYTES / 64) {
      if (cache.bytes + bytes.byteLength > MAX_CACHED_BYTES) {
        cache.blobs.clear();
        cache.bytes = 0;
      }
      cache.blobs.set(ref, blob);
      cache.bytes += bytes.byteLength;
    }
    return blob;
  }

  async text(ref: BlobRef): Promise<string> {
    return decoder.decode((await this.read(ref)).bytes);
  }

  async json(ref: BlobRef): Promise<unknown> {
    const text = await this.text(ref);
    try {
      return JSON.parse(text);
    } catch {
      throw new LightspeedError('invalid', `context blob ${ref} should hold JSON but does not parse`, { ref });
    }
  }
}
