/** Rows and affected-row count of one statement. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** Something that runs one parameterised statement: the driver itself or an open transaction. */
export interface SqlExecutor {
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/**
 * The tiny seam that lets every store class be written once for PGlite and PostgreSQL. Both speak
 * the same SQL dialect (PGlite *is* PostgreSQL compiled to WASM); this hides only connection
 * handling. `transaction` commits when `fn` resolves and rolls back when it throws.
 */
export interface SqlDriver extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Converts a driver's bytea value (Buffer on pg, Uint8Array on PGlite) to a private Uint8Array. */
export function bytesOf(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return new Uint8Array(value);
  throw new TypeError('expected a bytea column');
}

/** int8/numeric columns arrive as string (pg) or number (PGlite). */
export function numberOf(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}
