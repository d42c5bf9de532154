import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, type Clock, type ProfileRecord, type ProfileStore } from '@lightspeed/ports';
import { checkId, checkUniverse } from './identifiers.js';
import { checkExpectedRevision, keysetPage } from './record-table.js';
import { numberOf, type SqlDriver } from './sql-driver.js';

const COLUMNS = 'profile_id, document, revision, created_at, updated_at';
// Profile documents are small (config + instructions text); a larger one is a mistake or an attack.
export const MAX_PROFILE_DOCUMENT_BYTES = 1024 * 1024;

interface ProfileRow {
  profile_id: string;
  document: string;
  revision: unknown;
  created_at: unknown;
  updated_at: unknown;
}

function recordOf(row: ProfileRow): ProfileRecord {
  return {
    id: row.profile_id,
    document: JSON.parse(row.document) as Record<string, unknown>,
    revision: numberOf(row.revision),
    createdAt: numberOf(row.created_at),
    updatedAt: numberOf(row.updated_at),
  };
}

function documentText(document: Record<string, unknown>): string {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new LightspeedError('invalid', 'a profile document must be a JSON object');
  let text: string;
  try {
    text = canonicalJson(document);
  } catch (_error) {
    throw new LightspeedError('invalid', 'a profile document must be plain JSON (finite numbers, no functions)');
  }
  if (Buffer.byteLength(text) > MAX_PROFILE_DOCUMENT_BYTES) {
    throw new LightspeedError('too_large', `a profile document may hold at most ${MAX_PROFILE_DOCUMENT_BYTES} bytes; put long instructions in a blob (textRef)`);
  }
  return text;
}

function staleRevision(id: string, expectedRevision: number, actualRevision: number): LightspeedError {
  return new LightspeedError('conflict', `profile ${id} is at revision ${actualRevision}, not ${expectedRevision}; read it again and retry`, {
    profileId: id,
    expectedRevision,
    actualRevision,
  });
}

const PAGE = { table: 'ls_profiles', keyColumn: 'profile_id', columns: COLUMNS, what: 'profile list', map: recordOf, keyOf: (record: ProfileRecord) => record.id };

/** Agent profiles of one universe: a canonical-JSON document per id, replaced by compare-and-set on `revision`. */
export class SqlProfileStore implements ProfileStore {
  private readonly universe: string;

  constructor(
    private readonly driver: SqlDriver,
    universe: string,
    private readonly clock: Clock,
  ) {
    this.universe = checkUniverse(universe);
  }

  async get(id: string): Promise<ProfileRecord | undefined> {
    const { rows } = await this.driver.query<ProfileRow>(`SELECT ${COLUMNS} FROM ls_profiles WHERE universe = $1 AND profile_id = $2`, [this.universe, checkId('profile', id)]);
    return rows[0] ? recordOf(rows[0]) : undefined;
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ profiles: ProfileRecord[]; nextCursor?: string }> {
    const { items, nextCursor } = await keysetPage(this.driver, { ...PAGE, universe: this.universe }, options);
    return nextCursor === undefined ? { profiles: items } : { profiles: items, nextCursor };
  }

  async create(id: string, document: Record<string, unknown>): Promise<ProfileRecord> {
    checkId('profile', id);
    const text = documentText(document);
    const { rows } = await this.driver.query<ProfileRow>(
      `INSERT INTO ls_profiles (universe, profile_id, document, revision, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
       ON CONFLICT (universe, profile_id) DO NOTHING RETURNING ${COLUMNS}`,
      [this.universe, id, text, this.clock.now()],
    );
    if (!rows[0]) throw new LightspeedError('conflict', `profile ${id} already exists; replace it with profiles/put`, { profileId: id });
    return recordOf(rows[0]);
  }

  async put(id: string, document: Record<string, unknown>, expectedRevision?: number): Promise<ProfileRecord> {
    checkId('profile', id);
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    const text = documentText(document);
    // One statement: insert, or replace when the revision matches (or none is expected) and the
    // document differs. No row back means "unchanged" or "stale", told apart by reading.
    const { rows } = await this.driver.query<ProfileRow>(
      `INSERT INTO ls_profiles AS p (universe, profile_id, document, revision, created_at, updated_at) VALUES ($1, $2, $3, 1, $4, $4)
       ON CONFLICT (universe, profile_id) DO UPDATE SET document = EXCLUDED.document, revision = p.revision + 1, updated_at = EXCLUDED.updated_at
       WHERE p.document <> EXCLUDED.document AND ($5::bigint IS NULL OR p.revision = $5::bigint)
       RETURNING ${COLUMNS}`,
      [this.universe, id, text, this.clock.now(), expectedRevision ?? null],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(id);
    // Deleted between the two statements: the caller may simply retry.
    if (!current) throw new LightspeedError('conflict', `profile ${id} was deleted concurrently; retry`, { profileId: id });
    if (expectedRevision !== undefined && current.revision !== expectedRevision) throw staleRevision(id, expectedRevision, current.revision);
    return current;
  }

  async delete(id: string, expectedRevision?: number): Promise<ProfileRecord> {
    checkId('profile', id);
    if (expectedRevision !== undefined) checkExpectedRevision(expectedRevision, 0);
    const { rows } = await this.driver.query<ProfileRow>(
      `DELETE FROM ls_profiles WHERE universe = $1 AND profile_id = $2 AND ($3::bigint IS NULL OR revision = $3::bigint) RETURNING ${COLUMNS}`,
      [this.universe, id, expectedRevision ?? null],
    );
    if (rows[0]) return recordOf(rows[0]);
    const current = await this.get(id);
    if (!current) throw new LightspeedError('not_found', `profile ${id} does not exist`, { profileId: id });
    throw staleRevision(id, expectedRevision!, current.revision);
  }
}
