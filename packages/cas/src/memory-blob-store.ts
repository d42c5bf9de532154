import { refOfBytes, type BlobRef } from '@lightspeed/engine';
import { BlobCorruptError, BlobTooLargeError, type BlobPutOptions, type BlobStat, type BlobStore } from '@lightspeed/ports';

interface MemoryBlob {
  bytes: Uint8Array;
  mediaType?: string;
}

/** An in-process BlobStore for tests and ephemeral sessions. Reads are hash-verified like every store. */
export class MemoryBlobStore implements BlobStore {
  private readonly blobs = new Map<BlobRef, MemoryBlob>();

  constructor(private readonly options: { maxBlobBytes?: number } = {}) {}

  async put(bytes: Uint8Array, options: BlobPutOptions = {}): Promise<BlobStat> {
    const max = this.options.maxBlobBytes;
    if (max !== undefined && bytes.byteLength > max) throw new BlobTooLargeError(bytes.byteLength, max);
    const ref = refOfBytes(bytes);
    if (!this.blobs.has(ref)) {
      const blob: MemoryBlob = { bytes: bytes.slice() };
      if (options.mediaType !== undefined) blob.mediaType = options.mediaType;
      this.blobs.set(ref, blob);
    }
    return this.statOf(ref, this.blobs.get(ref)!);
  }

  async putMany(items: readonly { bytes: Uint8Array; mediaType?: string }[]): Promise<BlobStat[]> {
    const out: BlobStat[] = [];
    for (const item of items) out.push(await this.put(item.bytes, item.mediaType === undefined ? {} : { mediaType: item.mediaType }));
    return out;
  }

  async get(ref: BlobRef): Promise<Uint8Array | undefined> {
    const blob = this.blobs.get(ref);
    if (!blob) return undefined;
    if (refOfBytes(blob.bytes) !== ref) throw new BlobCorruptError(ref);
    return blob.bytes.slice();
  }

  async has(ref: BlobRef): Promise<boolean> {
    return this.blobs.has(ref);
  }

  async hasMany(refs: readonly BlobRef[]): Promise<boolean[]> {
    return refs.map((ref) => this.blobs.has(ref));
  }

  async stat(ref: BlobRef): Promise<BlobStat | undefined> {
    const blob = this.blobs.get(ref);
    return blob ? this.statOf(ref, blob) : undefined;
  }

  /** Test hook: number of distinct blobs held. */
  get size(): number {
    return this.blobs.size;
  }

  /** Test hook: overwrite stored bytes to simulate corruption. */
  corruptForTest(ref: BlobRef, bytes: Uint8Array): void {
    const blob = this.blobs.get(ref);
    if (blob) blob.bytes = bytes;
  }

  private statOf(ref: BlobRef, blob: MemoryBlob): BlobStat {
    const stat: BlobStat = { ref, size: blob.bytes.byteLength };
    if (blob.mediaType !== undefined) stat.mediaType = blob.mediaType;
    return stat;
  }
}
