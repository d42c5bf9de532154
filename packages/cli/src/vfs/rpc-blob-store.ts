import { createHash } from 'node:crypto';
import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobPutOptions, type BlobStat, type BlobStore } from '@lightspeed/ports';
import type { RpcClient } from '../client/rpc-client.js';

/** Bodies are base64 in JSON: stay well under the gateway's default 8 MiB request limit. */
export const MAX_RPC_BLOB_BYTES = 6 * 1024 * 1024;

/**
 * The server's CAS as a BlobStore over `blobs/*`, so the VFS package's local import and export
 * (gitignore handling, upload-only-missing, safe materialisation) work against any server.
 */
export class RpcBlobStore implements BlobStore {
  constructor(private readonly client: RpcClient) {}

  async put(bytes: Uint8Array, _options?: BlobPutOptions): Promise<BlobStat> {
    const [stat] = await this.putMany([{ bytes }]);
    return stat!;
  }

  async putMany(items: readonly { bytes: Uint8Array; mediaType?: string }[]): Promise<BlobStat[]> {
    for (const item of items) {
      if (item.bytes.byteLength > MAX_RPC_BLOB_BYTES) {
        throw new LightspeedError('too_large', `a ${item.bytes.byteLength}-byte blob is above the CLI's upload limit of ${MAX_RPC_BLOB_BYTES} bytes`);
      }
    }
    const { blobs } = await this.client.call<{ blobs: { blobRef: string; bytes: number }[] }>('blobs/put', {
      blobs: items.map((item) => ({ bytesBase64: Buffer.from(item.bytes).toString('base64') })),
    });
    return blobs.map((blob) => ({ ref: blob.blobRef as BlobRef, size: blob.bytes }));
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
    if (`sha256:${createHash('sha256').update(bytes).digest('hex')}` !== ref) throw new LightspeedError('corrupt', `blob ${ref} arrived with different content`);
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
