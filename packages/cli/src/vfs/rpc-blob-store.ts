import { createHash } from 'node:crypto';
import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobPutOptions, type BlobStat, type BlobStore } from '@lightspeed/ports';
import type { RpcClient } from '../client/rpc-client.js';

/** The most a `blobs/put` item can carry: base64 in JSON must stay under the gateway's 8 MiB body limit. */
export const MAX_JSON_RPC_BLOB_BYTES = 6 * 1024 * 1024;
/** Blobs above this go as a raw `PUT /blobs` body instead of base64 in JSON (a third smaller, no JSON parse). */
export const RAW_UPLOAD_MIN_BYTES = 1024 * 1024;
/** Largest file the CLI uploads: the server's default `PUT /blobs` limit. A lower server limit answers 413. */
export const MAX_UPLOAD_BLOB_BYTES = 64 * 1024 * 1024;
/** Raw bytes per `blobs/put` call when small blobs are batched (base64 grows them by a third). */
const JSON_RPC_BATCH_BYTES = 4 * 1024 * 1024;
/** The server's cap on `blobs/put` items and `blobs/has` refs per call is higher; stay well under it. */
const JSON_RPC_BATCH_ITEMS = 500;

const refOf = (bytes: Uint8Array): BlobRef => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * The server's CAS as a BlobStore over `blobs/*`, so the VFS package's local import and export
 * (gitignore handling, upload-only-missing, safe materialisation) work against any server. Large
 * blobs go as the raw body of `PUT /blobs` (falling back to `blobs/put` on a server without it).
 */
export class RpcBlobStore implements BlobStore {
  constructor(private readonly client: RpcClient) {}

  async put(bytes: Uint8Array, _options?: BlobPutOptions): Promise<BlobStat> {
    const [stat] = await this.putMany([{ bytes }]);
    return stat!;
  }

  async putMany(items: readonly { bytes: Uint8Array; mediaType?: string }[]): Promise<BlobStat[]> {
    for (const item of items) {
      if (item.bytes.byteLength > MAX_UPLOAD_BLOB_BYTES) {
        throw new LightspeedError('too_large', `a ${item.bytes.byteLength}-byte blob is above the CLI's upload limit of ${MAX_UPLOAD_BLOB_BYTES} bytes`);
      }
    }
    const stats: BlobStat[] = new Array(items.length);
    let batch: number[] = [];
    let batchBytes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const indexes = batch;
      batch = [];
      batchBytes = 0;
      const { blobs } = await this.client.call<{ blobs: { blobRef: string; bytes: number }[] }>('blobs/put', {
        blobs: indexes.map((i) => ({ bytesBase64: Buffer.from(items[i]!.bytes).toString('base64') })),
      });
      indexes.forEach((i, n) => (stats[i] = { ref: blobs[n]!.blobRef as BlobRef, size: blobs[n]!.bytes }));
    };
    for (const [i, item] of items.entries()) {
      const size = item.bytes.byteLength;
      if (size >= RAW_UPLOAD_MIN_BYTES) {
        stats[i] = await this.putRaw(item.bytes);
        continue;
      }
      if (batch.length >= JSON_RPC_BATCH_ITEMS || batchBytes + size > JSON_RPC_BATCH_BYTES) await flush();
      batch.push(i);
      batchBytes += size;
    }
    await flush();
    return stats;
  }

  private async putRaw(bytes: Uint8Array): Promise<BlobStat> {
    const stored = await this.client.putBlob(bytes);
    if (stored === 'unsupported') {
      if (bytes.byteLength > MAX_JSON_RPC_BLOB_BYTES) {
        throw new LightspeedError('too_large', `a ${bytes.byteLength}-byte blob needs PUT /blobs, which this server does not offer; its blobs/put takes at most ${MAX_JSON_RPC_BLOB_BYTES} bytes`);
      }
      const { blobs } = await this.client.call<{ blobs: { blobRef: string; bytes: number }[] }>('blobs/put', { blobs: [{ bytesBase64: Buffer.from(bytes).toString('base64') }] });
      return { ref: blobs[0]!.blobRef as BlobRef, size: blobs[0]!.bytes };
    }
    // The ref names the bytes the server stored: a mismatch means they were altered on the way.
    if (stored.blobRef !== refOf(bytes)) throw new LightspeedError('corrupt', `the server stored ${stored.blobRef} for an upload of ${refOf(bytes)}`);
    return { ref: stored.blobRef as BlobRef, size: stored.bytes };
  }

  async get(ref: BlobRef): Promise<Uint8Array | undefined> {
    let read: { bytesBase64: string };
    try {
      read = await this.client.call('blobs/read', { blobRef: ref });
    } catch (error) {
      if ((error as { kind?: string }).kind === 'not_found') return undefined;
      throw error;
    }
    const bytes = new Uint8Array(Buffer.from(read.bytesBase64, 'base64'));
    // The server verified the hash; verify again so a proxy cannot corrupt a materialised file.
    if (refOf(bytes) !== ref) throw new LightspeedError('corrupt', `blob ${ref} arrived with different content`);
    return bytes;
  }

  async has(ref: BlobRef): Promise<boolean> {
    if (!isBlobRef(ref)) return false;
    const { blobs } = await this.client.call<{ blobs: { exists: boolean }[] }>('blobs/has', { blobRefs: [ref] });
    return blobs[0]?.exists === true;
  }

  async stat(ref: BlobRef): Promise<BlobStat | undefined> {
    const bytes = await this.get(ref);
    return bytes === undefined ? undefined : { ref, size: bytes.byteLength };
  }
}
