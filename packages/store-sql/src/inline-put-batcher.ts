import type { BlobRef } from '@lightspeed/engine';
import type { SqlDriver } from './sql-driver.js';
import { StatementBatcher } from './statement-batcher.js';

// Re-putting an existing blob refreshes `touched_at`, which is what protects it from a concurrent
// GC for the grace period (see docs/0006). Inline bytes are rewritten too: same ref, same bytes —
// unless the stored copy was damaged, which this repairs.
export const INLINE_BLOB_ON_CONFLICT = `ON CONFLICT (universe, ref) DO UPDATE SET touched_at = EXCLUDED.touched_at,
  media_type = COALESCE(ls_blobs.media_type, EXCLUDED.media_type),
  inline_bytes = CASE WHEN ls_blobs.inline_bytes IS NULL THEN NULL ELSE EXCLUDED.inline_bytes END`;
// The single-blob form sends the bytes as one binary parameter instead of inside an array literal.
const UPSERT_ONE = `INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at) VALUES ($1, $2, $3, $4, $5, $6)
${INLINE_BLOB_ON_CONFLICT}`;
const UPSERT_MANY = `INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at)
SELECT $1, b.ref, b.size, b.media_type, b.bytes, $6
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bytea[]) AS b(ref, size, media_type, bytes)
${INLINE_BLOB_ON_CONFLICT}`;

export interface InlineBlob {
  ref: BlobRef;
  bytes: Uint8Array;
  mediaType?: string;
}

/**
 * Writes inline blobs, coalescing concurrent puts into multi-row upserts (a `StatementBatcher`):
 * under load many puts share one commit — and one WAL flush. Each caller's promise settles when
 * the statement holding its blobs has committed (or failed).
 */
export class InlinePutBatcher {
  private readonly batcher: StatementBatcher<InlineBlob[], undefined>;

  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
    maxInFlight: number,
  ) {
    this.batcher = new StatementBatcher(maxInFlight, async (universe, puts) => {
      await this.flush(universe, puts.flat());
      return puts.map(() => undefined);
    }, { weight: (blobs) => blobs.reduce((sum, blob) => sum + blob.bytes.byteLength, 0) });
  }

  write(universe: string, blobs: InlineBlob[]): Promise<void> {
    return this.batcher.submit(universe, blobs);
  }

  private async flush(universe: string, blobs: InlineBlob[]): Promise<void> {
    const rows = uniqueBlobs(blobs);
    if (rows.length === 1) {
      const [blob] = rows as [InlineBlob];
      await this.driver.query(UPSERT_ONE, [universe, blob.ref, blob.bytes.byteLength, blob.mediaType ?? null, blob.bytes, this.now()]);
    } else {
      await this.driver.query(UPSERT_MANY, [universe, ...inlineBlobColumns(rows), this.now()]);
    }
  }
}

/** One row per ref: ON CONFLICT cannot touch the same row twice in one statement. */
export function uniqueBlobs(blobs: readonly InlineBlob[]): InlineBlob[] {
  const unique = new Map<BlobRef, InlineBlob>();
  for (const blob of blobs) if (!unique.has(blob.ref)) unique.set(blob.ref, blob);
  return [...unique.values()];
}

/** The four arrays `unnest($n::text[], $n+1::bigint[], $n+2::text[], $n+3::bytea[])` of an inline upsert reads. */
export function inlineBlobColumns(rows: readonly InlineBlob[]): [string[], number[], (string | null)[], Uint8Array[]] {
  return [rows.map((blob) => blob.ref), rows.map((blob) => blob.bytes.byteLength), rows.map((blob) => blob.mediaType ?? null), rows.map((blob) => blob.bytes)];
}

/**
 * The columns `unnest($n::text[], $n+1::bigint[], $n+2::text[], $n+3::integer[]) AS b(ref, size,
 * media_type, start)` and, as `$n+4::bytea`, every blob's bytes back to back (a blob is
 * `substring($n+4 FROM b.start FOR b.size)`): one binary parameter instead of a bytea[] literal,
 * which the driver would hex-escape and the server parse again — most of a batch's bytes.
 */
export function packedBlobColumns(rows: readonly InlineBlob[]): [string[], number[], (string | null)[], number[], Uint8Array] {
  const starts: number[] = [];
  let next = 1;
  for (const blob of rows) {
    starts.push(next);
    next += blob.bytes.byteLength;
  }
  return [rows.map((blob) => blob.ref), rows.map((blob) => blob.bytes.byteLength), rows.map((blob) => blob.mediaType ?? null), starts, Buffer.concat(rows.map((blob) => blob.bytes))];
}
