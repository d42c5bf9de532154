import { LightspeedError, type Clock, type McpServerDocument, type McpServerRecord, type McpServerStore } from '@lightspeed/ports';
import { checkUniverse } from './identifiers.js';
import { checkExpectedRevision } from './record-table.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

const COLUMNS = 'server_id, document, revision, created_at, updated_at';
/** A universe's registrations are listed in one page: they are configuration, not data. */
const MAX_SERVERS = 1000;

interface McpServerRow {
  server_id: string;
  document: string;
  revision: unknown;
  created_at: unknown;
  updated_at: unknown;
}

function recordOf(row: McpServerRow): McpServerRecord {
  return {
    document: JSON.parse(row.document) as McpServerDocument,
    revision: numberOf(row.revision),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
}

/** MCP server registrations of one universe, replaced whole with an optional revision check. */
export class SqlMcpServerStore implements McpServerStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async get(serverId: string): Promise<McpServerRecord | undefined> {
    const { rows } = await this.driver.query<McpServerRow>(`SELECT ${COLUMNS} FROM ls_mcp_servers WHERE universe = $1 AND server_id = $2`, [this.universe, checkServerId(serverId)]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async put(document: McpServerDocument, expectedRevision?: number): Promise<McpServerRecord> {
    const serverId = checkServerId(document.serverId);
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    // The check applies only to an existing record (the contract's rule): one statement either
    // inserts, or updates when the revision matches, so two writers cannot both win.
    const { rows } = await this.driver.query<McpServerRow>(
      `INSERT INTO ls_mcp_servers (universe, server_id, document, revision, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
       ON CONFLICT (universe, server_id) DO UPDATE SET document = EXCLUDED.document, revision = ls_mcp_servers.revision + 1, updated_at = EXCLUDED.updated_at
       WHERE $5::bigint IS NULL OR ls_mcp_servers.revision = $5::bigint
       RETURNING ${COLUMNS}`,
      [this.universe, serverId, JSON.stringify(document), this.clock.now(), expectedRevision ?? null],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(serverId);
    throw new LightspeedError(
      'conflict',
      `MCP server ${serverId} changed concurrently (expected revision ${expectedRevision}, now ${current?.revision ?? 'deleted'}); read it again and retry`,
      { serverId, expectedRevision, actualRevision: current?.revision },
    );
  }

  async list(): Promise<McpServerRecord[]> {
    const { rows } = await this.driver.query<McpServerRow>(`SELECT ${COLUMNS} FROM ls_mcp_servers WHERE universe = $1 ORDER BY server_id LIMIT $2`, [this.universe, MAX_SERVERS]);
    return rows.map(recordOf);
  }

  async delete(serverId: string): Promise<McpServerRecord> {
    const { rows } = await this.driver.query<McpServerRow>(`DELETE FROM ls_mcp_servers WHERE universe = $1 AND server_id = $2 RETURNING ${COLUMNS}`, [this.universe, checkServerId(serverId)]);
    if (!rows[0]) throw new LightspeedError('not_found', `MCP server ${serverId} is not registered`, { serverId });
    return recordOf(rows[0]);
  }
}

/** Server ids become tool-name prefixes and log fields: a short, printable alphabet. */
const SERVER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function checkServerId(serverId: string): string {
  if (!SERVER_ID.test(serverId)) throw new LightspeedError('invalid', 'serverId must be 1-64 characters of [A-Za-z0-9._-], starting with a letter or digit', { serverId });
  return serverId;
}
