/**
 * The one schema, as an append-only list of migrations shared by PGlite and PostgreSQL. Never edit
 * a released migration; add the next one. Every table leads with `universe` (the tenant) so each
 * row, index and query is scoped by it. Ids use the "C" collation so list order (and therefore
 * keyset cursors) is byte order on every server, whatever its locale.
 */
export interface Migration {
  version: number;
  name: string;
  statements: readonly string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, events, snapshots, blobs, workspaces',
    statements: [
      `CREATE TABLE ls_sessions (
        universe text NOT NULL,
        session_id text COLLATE "C" NOT NULL,
        status text NOT NULL CHECK (status IN ('idle', 'active', 'closed')),
        display_name text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        head bigint NOT NULL CHECK (head >= 0),
        PRIMARY KEY (universe, session_id)
      )`,
      // Keyset pagination of the session list: newest first, ties by id.
      `CREATE INDEX ls_sessions_by_updated ON ls_sessions (universe, updated_at DESC, session_id)`,
      `CREATE INDEX ls_sessions_by_status ON ls_sessions (universe, status, updated_at DESC, session_id)`,
      `CREATE TABLE ls_session_events (
        universe text NOT NULL,
        session_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL CHECK (seq >= 1),
        at bigint NOT NULL,
        kind text NOT NULL,
        version integer NOT NULL,
        data text NOT NULL,
        PRIMARY KEY (universe, session_id, seq)
      )`,
      `CREATE TABLE ls_snapshots (
        universe text NOT NULL,
        session_id text COLLATE "C" NOT NULL,
        seq bigint NOT NULL,
        state_ref text NOT NULL,
        created_at bigint NOT NULL,
        PRIMARY KEY (universe, session_id)
      )`,
      `CREATE TABLE ls_blobs (
        universe text NOT NULL,
        ref text NOT NULL,
        size bigint NOT NULL,
        media_type text,
        inline_bytes bytea,
        object_key text,
        touched_at bigint NOT NULL,
        PRIMARY KEY (universe, ref),
        CHECK ((inline_bytes IS NULL) <> (object_key IS NULL))
      )`,
      `CREATE INDEX ls_blobs_by_touched ON ls_blobs (universe, touched_at)`,
      `CREATE TABLE ls_workspaces (
        universe text NOT NULL,
        workspace_id text COLLATE "C" NOT NULL,
        head_ref text NOT NULL,
        revision bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, workspace_id)
      )`,
    ],
  },
  {
    version: 2,
    name: 'workspace display names',
    statements: [`ALTER TABLE ls_workspaces ADD COLUMN display_name text`],
  },
  {
    version: 3,
    name: 'agent profiles',
    statements: [
      // The document is canonical JSON, so "unchanged" is a plain text comparison in SQL.
      `CREATE TABLE ls_profiles (
        universe text NOT NULL,
        profile_id text COLLATE "C" NOT NULL,
        document text NOT NULL,
        revision bigint NOT NULL CHECK (revision >= 1),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, profile_id)
      )`,
    ],
  },
  {
    version: 4,
    name: 'mcp server registrations',
    statements: [
      // The document is the registration as put (JSON); it never holds a secret, only env var names.
      `CREATE TABLE ls_mcp_servers (
        universe text NOT NULL,
        server_id text COLLATE "C" NOT NULL,
        document text NOT NULL,
        revision bigint NOT NULL CHECK (revision >= 1),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, server_id)
      )`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
