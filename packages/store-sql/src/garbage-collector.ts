import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { BlobCorruptError, LightspeedError } from '@lightspeed/ports';
import { cacheKeyOf, type BlobCache } from './blob-cache.js';
import { checkUniverse } from './identifiers.js';
import type { S3ObjectStore } from './object-store.js';
import { refOf } from './sql-blob-store.js';
import { bytesOf, numberOf, type SqlDriver } from './sql-driver.js';

export interface GcOptions {
  /** Unreferenced blobs touched (put or re-put) within this many ms are kept. */
  graceMs: number;
  /** Report what would be deleted without deleting anything. */
  dryRun?: boolean;
  /** Only this universe (default: every universe that holds blobs). */
  universe?: string;
  /** Reference time (default: the storage clock). */
  now?: number;
}

export interface GcSweptBlob {
  universe: string;
  ref: BlobRef;
  size: number;
}

export interface GcReport {
  dryRun: boolean;
  /** Distinct blobs found reachable (including dangling refs with no stored blob). */
  reachable: number;
  /** Deleted blobs, or with `dryRun` the blobs that would be deleted. */
  swept: GcSweptBlob[];
  sweptBytes: number;
}

const REF_TEXT = /sha256:[0-9a-f]{64}/g;
const REF_PATTERN_SQL = 'sha256:[0-9a-f]{64}';
const BATCH = 500;
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The reference rule. A blob points at other blobs when it is UTF-8 JSON whose text contains
 * `sha256:<64 hex>` tokens (anywhere: values, keys, inside longer strings). Anything else is a
 * leaf. Session event data is scanned with the same rule, in SQL.
 */
export function refsInBlob(bytes: Uint8Array): BlobRef[] {
  let text: string;
  try {
    text = decoder.decode(bytes);
    JSON.parse(text);
  } catch {
    return [];
  }
  return [...new Set(text.match(REF_TEXT) ?? [])].filter(isBlobRef);
}

interface Dependencies {
  driver: SqlDriver;
  objects?: S3ObjectStore;
  cache?: BlobCache;
  now: () => number;
}

/**
 * Mark and sweep per universe. Roots: refs in session event data, snapshot state refs and
 * workspace head refs; marking follows `refsInBlob` transitively. The sweep deletes unmarked blobs
 * whose `touched_at` is older than the grace period, re-checking `touched_at` under a row lock so a
 * blob re-put during the GC survives. A corrupt reachable blob aborts the run: its children are
 * unknown, so nothing may be deleted.
 */
export async function collectGarbage(deps: Dependencies, options: GcOptions): Promise<GcReport> {
  if (!Number.isFinite(options.graceMs) || options.graceMs < 0) throw new LightspeedError('invalid', 'graceMs must be a non-negative number');
  const now = options.now ?? deps.now();
  const cutoff = now - options.graceMs;
  const dryRun = options.dryRun ?? false;
  const universes =
    options.universe !== undefined
      ? [checkUniverse(options.universe)]
      : (await deps.driver.query<{ universe: string }>('SELECT DISTINCT universe FROM ls_blobs ORDER BY universe')).rows.map((row) => row.universe);
  const report: GcReport = { dryRun, reachable: 0, swept: [], sweptBytes: 0 };
  for (const universe of universes) {
    const marked = await mark(deps, universe);
    report.reachable += marked.size;
    const swept = await sweep(deps, universe, marked, cutoff, dryRun);
    for (const blob of swept) {
      report.swept.push(blob);
      report.sweptBytes += blob.size;
    }
  }
  return report;
}

async function roots(driver: SqlDriver, universe: string): Promise<Set<BlobRef>> {
  const out = new Set<BlobRef>();
  const queries = [
    `SELECT DISTINCT m[1] AS ref FROM ls_session_events e, regexp_matches(e.data, '${REF_PATTERN_SQL}', 'g') AS m WHERE e.universe = $1`,
    `SELECT state_ref AS ref FROM ls_snapshots WHERE universe = $1`,
    `SELECT head_ref AS ref FROM ls_workspaces WHERE universe = $1`,
    // A task's large payload and its attempts' evidence stay readable as long as the task exists.
    `SELECT payload_ref AS ref FROM ls_tasks WHERE universe = $1 AND payload_ref IS NOT NULL`,
    `SELECT DISTINCT jsonb_array_elements_text(evidence) AS ref FROM ls_task_attempts WHERE universe = $1`,
    // A sensor event's raw delivery is its audit record: kept while the event is.
    `SELECT raw_ref AS ref FROM ls_sensor_events WHERE universe = $1 AND raw_ref IS NOT NULL`,
    // Likewise a memory event's raw delivery (re-processing reads it).
    `SELECT raw_ref AS ref FROM ls_memory_events WHERE universe = $1 AND raw_ref IS NOT NULL`,
  ];
  for (const sql of queries) {
    const { rows } = await driver.query<{ ref: string }>(sql, [universe]);
    for (const { ref } of rows) if (isBlobRef(ref)) out.add(ref);
  }
  return out;
}

async function mark(deps: Dependencies, universe: string): Promise<Set<BlobRef>> {
  const marked = await roots(deps.driver, universe);
  let frontier = [...marked];
  while (frontier.length > 0) {
    const next: BlobRef[] = [];
    for (let i = 0; i < frontier.length; i += BATCH) {
      for (const child of await childrenOf(deps, universe, frontier.slice(i, i + BATCH))) {
        if (!marked.has(child)) {
          marked.add(child);
          next.push(child);
        }
      }
    }
    frontier = next;
  }
  return marked;
}

/** Children of a batch of blobs; only blobs whose bytes contain "sha256:" can have any. */
async function childrenOf(deps: Dependencies, universe: string, refs: BlobRef[]): Promise<BlobRef[]> {
  const { rows } = await deps.driver.query<{ ref: BlobRef; inline_bytes: unknown; object_key: string | null }>(
    `SELECT ref, CASE WHEN object_key IS NULL THEN inline_bytes END AS inline_bytes, object_key FROM ls_blobs
     WHERE universe = $1 AND ref = ANY($2::text[])
       AND (object_key IS NOT NULL OR position('\\x7368613235363a'::bytea IN inline_bytes) > 0)`,
    [universe, refs],
  );
  const children: BlobRef[] = [];
  for (const row of rows) {
    let bytes: Uint8Array | undefined;
    if (row.object_key !== null) {
      if (!deps.objects) throw new LightspeedError('unavailable', `GC needs the object store to read ${row.ref}; set LIGHTSPEED_OBJECT_STORE_*`);
      bytes = await deps.objects.get(row.object_key);
    } else {
      bytes = bytesOf(row.inline_bytes);
    }
    if (bytes === undefined || refOf(bytes) !== row.ref) throw new BlobCorruptError(row.ref);
    children.push(...refsInBlob(bytes));
  }
  return children;
}

async function sweep(deps: Dependencies, universe: string, marked: Set<BlobRef>, cutoff: number, dryRun: boolean): Promise<GcSweptBlob[]> {
  const { rows } = await deps.driver.query<{ ref: BlobRef; size: unknown }>(`SELECT ref, size FROM ls_blobs WHERE universe = $1 AND touched_at < $2 ORDER BY ref`, [universe, cutoff]);
  const garbage = rows.filter((row) => !marked.has(row.ref));
  if (dryRun) return garbage.map((row) => ({ universe, ref: row.ref, size: numberOf(row.size) }));
  const swept: GcSweptBlob[] = [];
  for (let i = 0; i < garbage.length; i += BATCH) {
    const batch = garbage.slice(i, i + BATCH).map((row) => row.ref);
    const deleted = await deps.driver.transaction(async (tx) => {
      // Lock and re-check: a re-put since the mark moved touched_at and keeps the blob.
      const { rows: locked } = await tx.query<{ ref: BlobRef; size: unknown; object_key: string | null }>(
        `SELECT ref, size, object_key FROM ls_blobs WHERE universe = $1 AND ref = ANY($2::text[]) AND touched_at < $3 FOR UPDATE`,
        [universe, batch, cutoff],
      );
      if (locked.length === 0) return locked;
      // Objects go while the rows are locked: a racing put of the same blob waits, then re-uploads.
      const keys = locked.flatMap((row) => (row.object_key === null ? [] : [row.object_key]));
      if (keys.length > 0) await deps.objects?.deleteMany(keys);
      await tx.query(`DELETE FROM ls_blobs WHERE universe = $1 AND ref = ANY($2::text[])`, [universe, locked.map((row) => row.ref)]);
      return locked;
    });
    for (const row of deleted) {
      deps.cache?.delete(cacheKeyOf(universe, row.ref));
      swept.push({ universe, ref: row.ref, size: numberOf(row.size) });
    }
  }
  return swept;
}
