import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat as statFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { mapDiskFull } from './disk-full.js';
import { BlobCorruptError, BlobTooLargeError, LightspeedError, type BlobPutOptions, type BlobStat, type BlobStore } from '@lightspeed/ports';

export interface FsBlobStoreOptions {
  /** Directory holding the store; created on first write. */
  root: string;
  /** Largest blob accepted by `put` (default 64 MiB). */
  maxBlobBytes?: number;
  /** fsync each blob before publishing it (default true). Off only for throwaway stores. */
  durable?: boolean;
}

const DEFAULT_MAX_BLOB_BYTES = 64 * 1024 * 1024;
const MEDIA_TYPE_MAX_LENGTH = 255;

function sha256Ref(bytes: Uint8Array): BlobRef {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Makes a rename durable: the new directory entry survives a crash only once the directory is synced. */
async function syncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some platforms cannot open or fsync a directory; the file itself is already synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * A BlobStore on the local filesystem. Layout: `<root>/sha256/<first two hex digits>/<hex>` for
 * the bytes and `<hex>.type` beside it for the media type (a sidecar, written only when given).
 * Writes go to `<root>/tmp` and are renamed into place, so a reader never sees a partial blob and a
 * crash leaves at most a stray temp file. Every read re-hashes the bytes.
 */
export class FsBlobStore implements BlobStore {
  private readonly root: string;
  private readonly maxBlobBytes: number;
  private readonly durable: boolean;

  constructor(options: FsBlobStoreOptions) {
    this.root = options.root;
    this.maxBlobBytes = options.maxBlobBytes ?? DEFAULT_MAX_BLOB_BYTES;
    this.durable = options.durable ?? true;
  }

  async put(bytes: Uint8Array, options: BlobPutOptions = {}): Promise<BlobStat> {
    if (bytes.byteLength > this.maxBlobBytes) throw new BlobTooLargeError(bytes.byteLength, this.maxBlobBytes);
    const mediaType = options.mediaType;
    if (mediaType !== undefined && (mediaType.length > MEDIA_TYPE_MAX_LENGTH || /[\r\n]/.test(mediaType))) {
      throw new LightspeedError('invalid', `media type must be one line of at most ${MEDIA_TYPE_MAX_LENGTH} characters`);
    }
    const ref = sha256Ref(bytes);
    const path = this.pathOf(ref);
    const existing = await this.sizeOf(path);
    // Same ref and same size means the same content (or a corruption that reads will report);
    // a size mismatch is a damaged copy, which this put repairs.
    if (existing !== bytes.byteLength) {
      await mkdir(join(path, '..'), { recursive: true });
      if (mediaType !== undefined) await this.writeAtomically(`${path}.type`, new TextEncoder().encode(mediaType));
      await this.writeAtomically(path, bytes);
    } else if (mediaType !== undefined && (await this.mediaTypeOf(path)) === undefined) {
      await this.writeAtomically(`${path}.type`, new TextEncoder().encode(mediaType));
    }
    return this.statOf(ref, bytes.byteLength, mediaType ?? (await this.mediaTypeOf(path)));
  }

  async putMany(items: readonly { bytes: Uint8Array; mediaType?: string }[]): Promise<BlobStat[]> {
    const out: BlobStat[] = [];
    for (const item of items) out.push(await this.put(item.bytes, item.mediaType === undefined ? {} : { mediaType: item.mediaType }));
    return out;
  }

  async get(ref: BlobRef): Promise<Uint8Array | undefined> {
    const path = this.pathOf(ref);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    if (sha256Ref(bytes) !== ref) throw new BlobCorruptError(ref);
    return bytes;
  }

  async has(ref: BlobRef): Promise<boolean> {
    return (await this.sizeOf(this.pathOf(ref))) !== undefined;
  }

  async stat(ref: BlobRef): Promise<BlobStat | undefined> {
    const path = this.pathOf(ref);
    const size = await this.sizeOf(path);
    if (size === undefined) return undefined;
    return this.statOf(ref, size, await this.mediaTypeOf(path));
  }

  /** Validating the ref is what keeps every path inside the root: it is exactly 64 hex digits. */
  private pathOf(ref: BlobRef): string {
    if (!isBlobRef(ref)) throw new LightspeedError('invalid', `not a blob ref: expected sha256:<64 lowercase hex digits>`);
    const hex = ref.slice('sha256:'.length);
    return join(this.root, 'sha256', hex.slice(0, 2), hex);
  }

  private async sizeOf(path: string): Promise<number | undefined> {
    try {
      return (await statFile(path)).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async mediaTypeOf(path: string): Promise<string | undefined> {
    try {
      return await readFile(`${path}.type`, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async writeAtomically(path: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.writeAtomicallyOnce(path, bytes);
    } catch (error) {
      throw mapDiskFull(path, error);
    }
  }

  private async writeAtomicallyOnce(path: string, bytes: Uint8Array): Promise<void> {
    const tmpDir = join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = join(tmpDir, `${randomBytes(12).toString('hex')}.part`);
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      if (this.durable) await handle.datasync();
    } catch (error) {
      await handle.close();
      await rm(tmp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(tmp, path);
    if (this.durable) await syncDirectory(dirname(path));
  }

  private statOf(ref: BlobRef, size: number, mediaType: string | undefined): BlobStat {
    const stat: BlobStat = { ref, size };
    if (mediaType !== undefined) stat.mediaType = mediaType;
    return stat;
  }
}
