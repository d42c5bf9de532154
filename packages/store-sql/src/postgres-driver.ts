import { createHash } from 'node:crypto';
import pg from 'pg';
import { DiskFullError, LightspeedError } from '@lightspeed/ports';
import type { SqlDriver, SqlExecutor, SqlResult } from './sql-driver.js';

export interface PostgresDriverOptions {
  /** Pool size (default 10). */
  maxConnections?: number;
  /** Label shown in pg_stat_activity. */
  applicationName?: string;
}

// Every parameterised statement is a named prepared statement, parsed once per connection. Names
// derive from the text, so the same text always maps to the same name.
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `ls_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

function toParam(value: unknown): unknown {
  // pg sends Buffers (also inside arrays) as bytea; a plain Uint8Array would not be.
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value) && value.length > 0 && value[0] instanceof Uint8Array) return value.map(toParam);
  return value;
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

/**
 * Lost or refused connections become `unavailable` (retryable, with backoff) instead of raw driver
 * errors. SQLSTATE class 08 is "connection exception"; 57P01-57P03 are server shutdown/restart.
 */
function classify(error: unknown): unknown {
  const e = error as { code?: string; message?: string } | undefined;
  const code = e?.code ?? '';
  const lost = code.startsWith('08') || /^57P0[123]$/.test(code) || CONNECTION_ERRNOS.has(code) || /Connection terminated|connection timeout/i.test(e?.message ?? '');
  if (code === '53100') {
    return new DiskFullError('the PostgreSQL database', 'SQLSTATE 53100, disk full', 'free space on the database server (or raise its storage), then retry');
  }
  if (!lost) return error;
  return new LightspeedError(
    'unavailable',
    'the PostgreSQL connection was lost or refused; nothing is partially written, but a statement cut off during commit may have committed — re-read before retrying',
    { cause: code || 'connection_lost' },
  );
}

function executor(client: pg.Pool | pg.PoolClient): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<SqlResult<R>> {
      try {
        const result =
          params.length === 0
            ? await client.query(text)
            : await client.query({ name: statementName(text), text, values: params.map(toParam) });
        return { rows: result.rows as R[], rowCount: result.rowCount ?? result.rows.length };
      } catch (error) {
        throw classify(error);
      }
    },
  };
}

/** PostgreSQL through a `pg` pool. A connection that failed mid-transaction is discarded, not reused. */
export function openPostgresDriver(url: string, options: PostgresDriverOptions = {}): SqlDriver {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'lightspeed',
  });
  // An idle connection killed by the server must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  const base = executor(pool);
  return {
    kind: 'postgres',
    query: base.query,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect().catch((error: unknown) => Promise.reject(classify(error)));
      const onError = () => undefined;
      client.on('error', onError);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError as Error;
        }
        throw error;
      } finally {
        client.removeListener('error', onError);
        client.release(broken ?? false);
      }
    },
    close: () => pool.end(),
  };
}
