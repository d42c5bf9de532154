import { LightspeedError } from '@lightspeed/ports';
import { decodeCursor, encodeCursor } from './identifiers.js';
import type { SqlDriver } from './sql-driver.js';

/*
 * What the per-universe record tables (workspaces, profiles, MCP servers) share: keyset paging by
 * id and the expected-revision rule of their compare-and-set writes.
 */

export interface KeysetPageQuery<Row, Item> {
  /** Table and key column, constants of the calling store (never caller input). */
  table: string;
  keyColumn: string;
  columns: string;
  universe: string;
  /** What the cursor lists, for the error a foreign cursor gets. */
  what: string;
  map(row: Row): Item;
  keyOf(item: Item): string;
}

/** One page of a universe's records in key order: at most `limit` (1..1000, default 100) after `cursor`. */
export async function keysetPage<Row, Item>(
  driver: SqlDriver,
  query: KeysetPageQuery<Row, Item>,
  options: { limit?: number; cursor?: string },
): Promise<{ items: Item[]; nextCursor?: string }> {
  const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
  const after = options.cursor === undefined ? null : (decodeCursor(options.cursor, ['string'] as const, query.what)[0] as string);
  const { rows } = await driver.query<Row>(
    `SELECT ${query.columns} FROM ${query.table} WHERE universe = $1 AND ($2::text IS NULL OR ${query.keyColumn} > $2) ORDER BY ${query.keyColumn} LIMIT $3`,
    [query.universe, after, limit + 1],
  );
  const items = rows.slice(0, limit).map(query.map);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined ? { items, nextCursor: encodeCursor([query.keyOf(last)]) } : { items };
}

/**
 * An expected revision is a whole number from `minimum`: 0 where "expect absent" is meaningful
 * (profiles, MCP servers), 1 where a record always exists before it is updated (workspaces).
 */
export function checkExpectedRevision(expectedRevision: number, minimum: 0 | 1): void {
  if (!Number.isSafeInteger(expectedRevision) || expectedRevision < minimum) {
    throw new LightspeedError('invalid', `expectedRevision must be a ${minimum === 0 ? 'non-negative' : 'positive'} integer`);
  }
}
