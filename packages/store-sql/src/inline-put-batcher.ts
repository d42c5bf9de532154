import type { BlobRef } from '@lightspeed/engine';
import type { SqlDriver } from './sql-driver.js';

// Re-putting an existing blob refreshes `touched_at`, which is what protects it from a concurrent
// GC for the grace period (see docs/0006). Inline bytes are rewritten too: same ref, same bytes —
// unless the stored copy was damaged, which this repairs.
const ON_CONFLICT = `ON CONFLICT (universe, ref) DO UPDATE SET touched_at = EXCLUDED.touched_at,
  media_type = COALESCE(ls_blobs.media_type, EXCLUDED.media_type),
  inline_bytes = CASE WHEN ls_blobs.inline_bytes IS NULL THEN NULL ELSE EXCLUDED.inline_bytes END`;
// The single-blob form sends the bytes as one binary parameter instead of inside an array literal.
const UPSERT_ONE = `INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at) VALUES ($1, $2, $3, $4, $5, $6)
${ON_CONFLICT}`;
const UPSERT_MANY = `INSERT INTO ls_blobs (universe, ref, size, media_type, inline_bytes, touched_at)
SELECT $1, b.ref, b.size, b.media_type, b.bytes, $6
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bytea[]) AS b(ref, size, media_type, bytes)
${ON_CONFLICT}`;

export interface InlineBlob {
  ref: BlobRef;
  bytes: Uint8Array;
  mediaType?: string;
}

interface Waiter {
  blobs: InlineBlob[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Writes inline blobs, coalescing concurrent puts into multi-row upserts. At most `maxInFlight`
 * statements run at once; puts arriving meanwhile queue (per universe) and go out together in the
 * next statement, so under load many puts share one commit — and one WAL flush. Each caller's
 * promise settles when the statement holding its blobs has committed (or failed).
 */
export class InlinePutBatcher {
  private readonly queues = new Map<string, Waiter[]>();
  private inFlight = 0;

  constructor(
    private readonly driver: SqlDriver,
    private readonly now: () => number,
    private readonly maxInFlight: number,
  ) {}

  write(universe: string, blobs: InlineBlob[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(universe);
      if (queue) queue.push({ blobs, resolve, reject });
      else this.queues.set(universe, [{ blobs, resolve, reject }]);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queues.size > 0) {
      const [universe, waiters] = this.queues.entries().next().value as [string, Waiter[]];
      this.queues.delete(universe);
      this.inFlight++;
      void this.flush(universe, waiters).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async flush(universe: string, waiters: Waiter[]): Promise<void> {
    // One row per ref: ON CONFLICT cannot touch the same row twice in one statement.
    const unique = new Map<BlobRef, InlineBlob>();
    for (const waiter of waiters) for (const blob of waiter.blobs) if (!unique.has(blob.ref)) unique.set(blob.ref, blob);
    const rows = [...unique.values()];
    try {
      if (rows.length === 1) {
        const [blob] = rows as [InlineBlob];
        await this.driver.query(UPSERT_ONE, [universe, blob.ref, blob.bytes.byteLength, blob.mediaType ?? null, blob.bytes, this.now()]);
      } else {
        await this.driver.query(UPSERT_MANY, [
          universe,
          rows.map((blob) => blob.ref),
          rows.map((blob) => blob.bytes.byteLength),
          rows.map((blob) => blob.mediaType ?? null),
          rows.map((blob) => blob.bytes),
          this.now(),
        ]);
      }
      for (const waiter of waiters) waiter.resolve();
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
