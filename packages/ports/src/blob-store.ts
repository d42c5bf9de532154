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
  stat(ref: BlobRef): Promise<BlobStat | undefined>;
}
