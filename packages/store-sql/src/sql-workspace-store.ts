import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type Clock, type WorkspaceRecord, type WorkspaceStore, type WorkspaceWriteOptions } from '@lightspeed/ports';
import { checkId, checkRef, checkUniverse } from './identifiers.js';
import { checkExpectedRevision, keysetPage } from './record-table.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

const COLUMNS = 'workspace_id, head_ref, revision, created_at, updated_at, display_name';
/** Display names are labels, not documents: bounded so a record stays small. */
const MAX_DISPLAY_NAME = 1_000;

interface WorkspaceRow {
  workspace_id: string;
  head_ref: string;
  revision: unknown;
  created_at: unknown;
  updated_at: unknown;
  display_name: string | null;
}

function checkDisplayName(options: WorkspaceWriteOptions): string | null {
  const name = options.displayName;
  if (name === undefined) return null;
  if (typeof name !== 'string' || name.length > MAX_DISPLAY_NAME) throw new LightspeedError('invalid', `displayName must be a string of at most ${MAX_DISPLAY_NAME} characters`);
  return name;
}

function recordOf(row: WorkspaceRow): WorkspaceRecord {
  return {
    id: row.workspace_id,
    headRef: row.head_ref as BlobRef,
    revision: numberOf(row.revision),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
    ...(row.display_name !== null ? { displayName: row.display_name } : {}),
  };
}

/** VFS workspaces of one universe: a named head ref moved by compare-and-set on `revision`. */
const PAGE = { table: 'ls_workspaces', keyColumn: 'workspace_id', columns: COLUMNS, what: 'workspace list', map: recordOf, keyOf: (record: WorkspaceRecord) => record.id };

export class SqlWorkspaceStore implements WorkspaceStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async create(id: string, headRef: BlobRef, options: WorkspaceWriteOptions = {}): Promise<WorkspaceRecord> {
    checkId('workspace', id);
    checkRef(headRef);
    const displayName = checkDisplayName(options);
    const now = this.clock.now();
    const { rows } = await this.driver.query<WorkspaceRow>(
      `INSERT INTO ls_workspaces (universe, workspace_id, head_ref, revision, created_at, updated_at, display_name) VALUES ($1, $2, $3, 1, $4, $4, $5)
       ON CONFLICT (universe, workspace_id) DO NOTHING RETURNING ${COLUMNS}`,
      [this.universe, id, headRef, now, displayName],
    );
    if (!rows[0]) throw new LightspeedError('conflict', `workspace ${id} already exists; pick another id or update it`, { workspaceId: id });
    return recordOf(rows[0]);
  }

  async get(id: string): Promise<WorkspaceRecord | undefined> {
    const { rows } = await this.driver.query<WorkspaceRow>(`SELECT ${COLUMNS} FROM ls_workspaces WHERE universe = $1 AND workspace_id = $2`, [this.universe, checkId('workspace', id)]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async update(id: string, expectedRevision: number, headRef: BlobRef, options: WorkspaceWriteOptions = {}): Promise<WorkspaceRecord> {
    checkId('workspace', id);
    checkRef(headRef);
    checkExpectedRevision(expectedRevision, 1);
    const displayName = checkDisplayName(options);
    const { rows } = await this.driver.query<WorkspaceRow>(
      `UPDATE ls_workspaces SET head_ref = $4, revision = revision + 1, updated_at = $5, display_name = COALESCE($6, display_name)
       WHERE universe = $1 AND workspace_id = $2 AND revision = $3 RETURNING ${COLUMNS}`,
      [this.universe, id, expectedRevision, headRef, this.clock.now(), displayName],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(id);
    if (!current) throw new LightspeedError('not_found', `workspace ${id} does not exist`, { workspaceId: id });
    throw new LightspeedError(
      'conflict',
      `workspace ${id} changed concurrently (expected revision ${expectedRevision}, now ${current.revision}); re-read the files and retry`,
      { workspaceId: id, expectedRevision, actualRevision: current.revision },
    );
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ workspaces: WorkspaceRecord[]; nextCursor?: string }> {
    const { items, nextCursor } = await keysetPage(this.driver, { ...PAGE, universe: this.universe }, options);
    return nextCursor === undefined ? { workspaces: items } : { workspaces: items, nextCursor };
  }

  async delete(id: string): Promise<void> {
    const { rowCount } = await this.driver.query(`DELETE FROM ls_workspaces WHERE universe = $1 AND workspace_id = $2`, [this.universe, checkId('workspace', id)]);
    if (rowCount === 0) throw new LightspeedError('not_found', `workspace ${id} does not exist`, { workspaceId: id });
  }
}
