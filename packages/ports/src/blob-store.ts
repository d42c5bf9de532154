import type { BlobRef } from '@lightspeed/engine';

export interface BlobStat {
  ref: BlobRef;
  size: number;
  mediaType?: string;
}

export interface BlobPutOptions {
  mediaType?: string;
}

/**
 * Content-addressed storage scoped to one universe. `put` is idempotent (same bytes, same ref).
 * `get` verifies SHA-256 on every read and throws `BlobCorruptError` rather than return bad bytes;
 * it returns `undefined` for a ref this universe does not hold.
 */
export interface BlobStore {
  put(bytes: Uint8Array, options?: BlobPutOptions): Promise<BlobStat>;
  putMany(items: readonly { bytes: Uint8Array; mediaType?: string }[]): Promise<BlobStat[]>;
  get(ref: BlobRef): Promise<Uint8Array | undefined>;
  has(ref: BlobRef): Promise<boolean>;
  /**
   * Which of `refs` this universe holds, in order. Optional: a store that can answer a batch in one
   * round trip (one SQL statement) implements it; `hasEach` falls back to one `has` per ref.
   */
  hasMany?(refs: readonly BlobRef[]): Promise<boolean[]>;
  stat(ref: BlobRef): Promise<BlobStat | undefined>;
}

/** `store.hasMany(refs)` where the store offers it, else one `has` per ref. */
export function hasEach(store: BlobStore, refs: readonly BlobRef[]): Promise<boolean[]> {
  if (store.hasMany) return store.hasMany(refs);
  return Promise.all(refs.map((ref) => store.has(ref)));
}
