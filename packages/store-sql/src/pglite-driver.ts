import { parse, PGlite, protocol, types } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite/vector';
import { Mutex } from '@lightspeed/engine';
import { pgliteFailure, preparePgliteDataDir } from './pglite-data-dir.js';
import type { SqlDriver, SqlExecutor, SqlResult } from './sql-driver.js';

const { serialize } = protocol;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Text form of an array element, quoted for the array-literal parser. */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  const text = value instanceof Uint8Array ? `\\x${hex(value)}` : String(value);
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * Parameters go out as bind values (never spliced into SQL): bytea as binary, arrays as array
 * literals with every element quoted, everything else in its text form.
 */
function bindValue(value: unknown): string | Uint8Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return `{${value.map(arrayElement).join(',')}}`;
  if (typeof value === 'boolean') return value ? 't' : 'f';
  return String(value);
}

/**
 * PGlite in-process, driven through its wire-protocol entry point: each parameterised statement is
 * parsed once as a named prepared statement, and every execution is a single
 * bind/describe/execute/sync batch — one call into the WASM backend instead of six re-parsing ones
 * (PGlite's `query`). One session: the driver's lock serialises statements and transactions, so
 * racing appenders queue and the losers see the winner's head, exactly as on PostgreSQL.
 */
class PgliteDriver implements SqlDriver {
  readonly kind = 'pglite' as const;
  // PGlite is one session: one statement or transaction at a time.
  private readonly lock = new Mutex();
  private readonly prepared = new Map<string, string>();
  private readonly inTransaction: SqlExecutor = { query: (text, params) => this.execute(text, params ?? []) };

  constructor(
    private readonly db: PGlite,
    private readonly dataDir: string,
  ) {}

  query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
    return this.lock.run(() => this.execute<R>(text, params));
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.lock.run(async () => {
      await this.simple('BEGIN');
      try {
        const result = await fn(this.inTransaction);
        await this.simple('COMMIT');
        return result;
      } catch (error) {
        await this.simple('ROLLBACK');
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.lock.run(() => this.db.close().catch((error: unknown) => Promise.reject(pgliteFailure(this.dataDir, error))));
  }

  private async simple(text: string): Promise<void> {
    await this.protocol(serialize.query(text));
  }

  /** One round trip into the backend; its failures say what happened (a full disk, by path). */
  private async protocol(message: Uint8Array): ReturnType<PGlite['execProtocol']> {
    try {
      return await this.db.execProtocol(message);
    } catch (error) {
      throw pgliteFailure(this.dataDir, error);
    }
  }

  private async execute<R>(text: string, params: readonly unknown[]): Promise<SqlResult<R>> {
    // Only parameterised statements are cached: their text is a constant of the code. Ad-hoc
    // statements (DDL, tests) use the unnamed statement so the cache cannot grow without bound.
    let statement = '';
    const parts: Uint8Array[] = [];
    if (params.length > 0) {
      const name = this.prepared.get(text);
      if (name === undefined) {
        statement = `ls_${this.prepared.size + 1}`;
        await this.protocol(concat([serialize.parse({ name: statement, text }), serialize.sync()]));
        this.prepared.set(text, statement);
      } else {
        statement = name;
      }
    } else {
      parts.push(serialize.parse({ text }));
    }
    parts.push(serialize.bind({ statement, values: params.map(bindValue) }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync());
    const { messages } = await this.protocol(concat(parts));
    const [result] = parse.parseResults(messages, types.parsers);
    return { rows: (result?.rows ?? []) as R[], rowCount: result?.affectedRows ?? result?.rows.length ?? 0 };
  }
}

/**
 * Opens PGlite on `dataDir` (initialised atomically if new); `memory://` keeps everything in memory.
 * pgvector is loaded (memory search's HNSW index): PGlite 0.3 bundles it as `@electric-sql/pglite/vector`.
 */
export async function openPgliteDriver(dataDir: string, options: { relaxedDurability?: boolean } = {}): Promise<SqlDriver> {
  if (!dataDir.includes('://')) await preparePgliteDataDir(dataDir);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir, { relaxedDurability: options.relaxedDurability ?? false, extensions: { vector } });
  } catch (error) {
    throw pgliteFailure(dataDir, error);
  }
  return new PgliteDriver(db, dataDir);
}
