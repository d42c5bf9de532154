import { createHash } from 'node:crypto';
import type { BlobRef } from '@lightspeed/engine';
import { BlobCorruptError, BlobTooLargeError, LightspeedError, type BlobPutOptions, type BlobStat, type BlobStore, type Clock } from '@lightspeed/ports';
import { cacheKeyOf, type BlobCache } from './blob-cache.js';
import { checkRef, checkUniverse } from './identifiers.js';
import type { InlineBlob, InlinePutBatcher } from './inline-put-batcher.js';
import type { S3ObjectStore } from './object-store.js';
import { bytesOf, numberOf, type SqlDriver } from './sql-driver.js';

/** Blobs up to this size live in the database row; larger ones go to the object store. */
export const INLINE_MAX_BYTES = 64 * 1024;
const MEDIA_TYPE_MAX_LENGTH = 255;

export interface SqlBlobStoreOptions {
  inline: InlinePutBatcher;
  objects?: S3ObjectStore;
  cache?: BlobCache;
  maxBlobBytes: number;
  clock: Clock;
}

export function refOf(bytes: Uint8Array): BlobRef {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Object keys: `<prefix><universe>/sha256/<2 hex>/<hex>` — the universe is always in the key. */
export function objectKeyOf(prefix: string, universe: string, ref: BlobRef): string {
  const hex = ref.slice('sha256:'.length);
  return `${prefix}${universe}/sha256/${hex.slice(0, 2)}/${hex}`;
}

const TOUCH_OBJECT = `UPDATE ls_blobs SET touched_at = $3, media_type = COALESCE(media_type, $4)
WHERE universe = $1 AND ref = $2 RETURNING size, media_type`;
const INSERT_OBJECT = `INSERT INTO ls_blobs (universe, ref, size, media_type, object_key, touched_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (universe, ref) DO UPDATE SET touched_at = EXCLUDED.touched_at`;
const SELECT_BLOB = `SELECT size, media_type, inline_bytes, object_key FROM ls_blobs WHERE universe = $1 AND ref = $2`;
const SELECT_STAT = `SELECT size, media_type FROM ls_blobs WHERE universe = $1 AND ref = $2`;
const SELECT_PRESENT = `SELECT ref FROM ls_blobs WHERE universe = $1 AND ref = ANY($2::text[])`;

interface PutItem {
  bytes: Uint8Array;
  mediaType?: string;
}

function statOf(ref: BlobRef, size: number, mediaType: string | null | undefined): BlobStat {
  const stat: BlobStat = { ref, size };
  if (mediaType !== null && mediaType !== undefined) stat.mediaType = mediaType;
  return stat;
}

/**
 * CAS in the database (inline, ≤ 64 KiB) and an S3-compatible bucket (larger), for one universe.
 * Without an object store everything is inline. Every read from storage is re-hashed; verified
 * bytes are kept in the shared LRU cache and handed out as copies.
 */
export class SqlBlobStore implements BlobStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly options: SqlBlobStoreOptions,
  ) {
    this.universe = checkUniverse(universe);
  }

  async put(bytes: Uint8Array, options: BlobPutOptions = {}): Promise<BlobStat> {
    const [stat] = await this.putMany([options.mediaType === undefined ? { bytes } : { bytes, mediaType: options.mediaType }]);
    return stat!;
  }

  async putMany(items: readonly PutItem[]): Promise<BlobStat[]> {
    for (const item of items) this.checkPut(item);
    const now = this.options.clock.now();
    const refs = items.map((item) => refOf(item.bytes));
    const inline = new Map<BlobRef, PutItem>();
    const large = new Map<BlobRef, PutItem>();
    items.forEach((item, i) => {
      const target = this.options.objects && item.bytes.byteLength > INLINE_MAX_BYTES ? large : inline;
      if (!target.has(refs[i]!)) target.set(refs[i]!, item); // one row per ref per statement
    });
    if (inline.size > 0) {
      const rows: InlineBlob[] = [...inline].map(([ref, item]) => (item.mediaType === undefined ? { ref, bytes: item.bytes } : { ref, bytes: item.bytes, mediaType: item.mediaType }));
      await this.options.inline.write(this.universe, rows);
    }
    for (const [ref, item] of large) await this.putObject(ref, item, now);
    return items.map((item, i) => statOf(refs[i]!, item.bytes.byteLength, item.mediaType));
  }

  /**
   * The inline row of a blob another statement writes with its own rows (a sensor event's raw
   * delivery), checked like a put; undefined when it belongs in the object store (then `put` it).
   */
  inlineRow(bytes: Uint8Array, mediaType?: string): InlineBlob | undefined {
    const item = mediaType === undefined ? { bytes } : { bytes, mediaType };
    this.checkPut(item);
    if (this.options.objects && bytes.byteLength > INLINE_MAX_BYTES) return undefined;
    return { ref: refOf(bytes), ...item };
  }

  async get(ref: BlobRef): Promise<Uint8Array | undefined> {
    checkRef(ref);
    const key = this.cacheKey(ref);
    const cached = this.options.cache?.get(key);
    if (cached) return cached.slice();
    const { rows } = await this.driver.query<{ size: unknown; inline_bytes: unknown; object_key: string | null }>(SELECT_BLOB, [this.universe, ref]);
    const row = rows[0];
    if (!row) return undefined;
    let bytes: Uint8Array | undefined;
    if (row.object_key !== null) {
      if (!this.options.objects) throw new LightspeedError('unavailable', `blob ${ref} is in the object store, which is not configured; set LIGHTSPEED_OBJECT_STORE_*`, { ref });
      bytes = await this.options.objects.get(row.object_key);
      // The row promises an object; a missing one is lost data, reported like a bad hash.
      if (bytes === undefined) throw new BlobCorruptError(ref);
    } else {
      bytes = bytesOf(row.inline_bytes);
    }
    if (bytes.byteLength !== numberOf(row.size) || refOf(bytes) !== ref) throw new BlobCorruptError(ref);
    this.options.cache?.set(key, bytes);
    return bytes.slice();
  }

  async has(ref: BlobRef): Promise<boolean> {
    checkRef(ref);
    const { rows } = await this.driver.query(SELECT_STAT, [this.universe, ref]);
    return rows.length > 0;
  }

  /** One statement for the whole batch (callers bound its size: blobs/has takes 1000 refs at most). */
  async hasMany(refs: readonly BlobRef[]): Promise<boolean[]> {
    for (const ref of refs) checkRef(ref);
    if (refs.length === 0) return [];
    const { rows } = await this.driver.query<{ ref: string }>(SELECT_PRESENT, [this.universe, [...new Set(refs)]]);
    const present = new Set(rows.map((row) => row.ref));
    return refs.map((ref) => present.has(ref));
  }

  async stat(ref: BlobRef): Promise<BlobStat | undefined> {
    checkRef(ref);
    const { rows } = await this.driver.query<{ size: unknown; media_type: string | null }>(SELECT_STAT, [this.universe, ref]);
    return rows[0] ? statOf(ref, numberOf(rows[0].size), rows[0].media_type) : undefined;
  }

  private checkPut(item: PutItem): void {
    if (!(item.bytes instanceof Uint8Array)) throw new LightspeedError('invalid', 'blob bytes must be a Uint8Array');
    if (item.bytes.byteLength > this.options.maxBlobBytes) throw new BlobTooLargeError(item.bytes.byteLength, this.options.maxBlobBytes);
    const mediaType = item.mediaType;
    if (mediaType !== undefined && (typeof mediaType !== 'string' || mediaType.length > MEDIA_TYPE_MAX_LENGTH || /[\r\n]/.test(mediaType))) {
      throw new LightspeedError('invalid', `media type must be one line of at most ${MEDIA_TYPE_MAX_LENGTH} characters`);
    }
  }

  private async putObject(ref: BlobRef, item: PutItem, now: number): Promise<void> {
    const objects = this.options.objects!;
    const touched = await this.driver.query(TOUCH_OBJECT, [this.universe, ref, now, item.mediaType ?? null]);
    if (touched.rows.length > 0) return;
    // Object first, row second: a row never points at an object that was not written.
    const key = objectKeyOf(objects.keyPrefix, this.universe, ref);
    await objects.put(key, item.bytes);
    await this.driver.query(INSERT_OBJECT, [this.universe, ref, item.bytes.byteLength, item.mediaType ?? null, key, now]);
  }

  private cacheKey(ref: BlobRef): string {
    return cacheKeyOf(this.universe, ref);
  }
}
