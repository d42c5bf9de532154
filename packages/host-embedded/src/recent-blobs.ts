import type { BlobRef } from '@lightspeed/engine';
import { hasEach, type BlobPutOptions, type BlobStat, type BlobStore } from '@lightspeed/ports';

interface RecentBlob {
  bytes: Uint8Array;
  /** Known after a put (what the store returned) or a stat; a blob only read has none yet. */
  stat?: BlobStat;
}

/**
 * Blobs this host wrote or read recently, across universes (keys are universe-qualified), bounded
 * by bytes with least-recently-used eviction. A turn's outputs and tool results are read back by the
 * next request right after they were written; serving them from here saves the store round trips
 * (a `get` and a `stat` per new blob). Content addressing makes a cached copy never stale.
 */
export class RecentBlobs {
  private readonly entries = new Map<string, RecentBlob>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string): RecentBlob | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  remember(key: string, entry: RecentBlob): void {
    // One large blob must not flush everything else.
    if (entry.bytes.byteLength > this.maxBytes / 16 || this.entries.has(key)) return;
    this.entries.set(key, entry);
    this.bytes += entry.bytes.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.bytes.byteLength;
    }
  }
}

/**
 * A universe's BlobStore seen through RecentBlobs. Writes always go to the store (and finish there
 * before the caller can reference the blob); the cached stat is what the store's put returned.
 */
export function recentBlobStore(inner: BlobStore, universe: string, recent: RecentBlobs): BlobStore {
  const key = (ref: BlobRef) => `${universe}\u0000${ref}`;
  const remember = (stat: BlobStat, bytes: Uint8Array) => recent.remember(key(stat.ref), { bytes: bytes.slice(), stat });
  return {
    async put(bytes: Uint8Array, options?: BlobPutOptions): Promise<BlobStat> {
      const stat = await inner.put(bytes, options);
      remember(stat, bytes);
      return stat;
    },
    async putMany(items) {
      const stats = await inner.putMany(items);
      stats.forEach((stat, i) => remember(stat, items[i]!.bytes));
      return stats;
    },
    async get(ref) {
      const hit = recent.get(key(ref));
      if (hit) return hit.bytes.slice();
      const bytes = await inner.get(ref);
      if (bytes) recent.remember(key(ref), { bytes: bytes.slice() });
      return bytes;
    },
    async has(ref) {
      return recent.get(key(ref)) !== undefined || inner.has(ref);
    },
    async hasMany(refs) {
      const out = refs.map((ref) => recent.get(key(ref)) !== undefined);
      const misses = refs.flatMap((ref, i) => (out[i] ? [] : [i]));
      if (misses.length === 0) return out;
      const found = await hasEach(inner, misses.map((i) => refs[i]!));
      misses.forEach((i, j) => (out[i] = found[j] === true));
      return out;
    },
    async stat(ref) {
      const hit = recent.get(key(ref));
      if (hit?.stat) return { ...hit.stat };
      const stat = await inner.stat(ref);
      if (hit && stat) hit.stat = stat;
      return stat;
    },
  };
}
