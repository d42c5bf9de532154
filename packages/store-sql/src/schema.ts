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
  {
    version: 5,
    name: 'task queue',
    statements: [
      // One row per task. `state` stores queued for both queued and scheduled (told apart by
      // available_at against the clock); concurrency_key '' means none. fair_tag is the task's
      // start tag in start-time fair queuing across concurrency keys (see sql-task-queue.ts).
      `CREATE TABLE ls_tasks (
        universe text NOT NULL,
        task_id text COLLATE "C" NOT NULL,
        kind text NOT NULL,
        source text,
        subject text,
        payload text,
        payload_ref text,
        agent text COLLATE "C" NOT NULL,
        model text,
        priority integer NOT NULL,
        state text NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'blocked', 'cancelled')),
        available_at bigint NOT NULL,
        fair_tag bigint NOT NULL,
        max_attempts integer NOT NULL CHECK (max_attempts >= 1),
        attempts integer NOT NULL CHECK (attempts >= 0),
        backoff text NOT NULL,
        timeout_ms bigint,
        dedupe_key text COLLATE "C",
        concurrency_key text COLLATE "C" NOT NULL,
        tags jsonb NOT NULL,
        lease_token text,
        lease_owner text,
        lease_expires_at bigint,
        cancel_requested boolean NOT NULL,
        last_error_class text,
        last_error text,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        finished_at bigint,
        PRIMARY KEY (universe, task_id),
        CHECK ((payload IS NULL) <> (payload_ref IS NULL)),
        CHECK ((state = 'running') = (lease_token IS NOT NULL))
      )`,
      // Every claim and settle leaves a dead row version at the head of the claim index; a queue
      // table is vacuumed far more eagerly than PostgreSQL's default 20% of the table.
      `ALTER TABLE ls_tasks SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_threshold = 500, autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0.02, autovacuum_analyze_threshold = 500)`,
      // Dedupe holds only while a task is waiting or running; a finished one frees its key.
      `CREATE UNIQUE INDEX ls_tasks_dedupe ON ls_tasks (universe, dedupe_key) WHERE dedupe_key IS NOT NULL AND state IN ('queued', 'running')`,
      // The claim order (also the virtual time of fair tags). The only index over queued rows, so a
      // planner without statistics for a new universe cannot pick another one and sort.
      `CREATE INDEX ls_tasks_claim ON ls_tasks (universe, priority DESC, fair_tag, created_at, task_id) WHERE state = 'queued'`,
      `CREATE INDEX ls_tasks_leases ON ls_tasks (universe, lease_expires_at) WHERE state = 'running'`,
      `CREATE INDEX ls_tasks_running_by_key ON ls_tasks (universe, concurrency_key) WHERE state = 'running'`,
      `CREATE INDEX ls_tasks_running_by_agent ON ls_tasks (universe, agent) WHERE state = 'running'`,
      `CREATE INDEX ls_tasks_by_created ON ls_tasks (universe, created_at DESC, task_id DESC)`,
      // Per concurrency key, the last fair tag handed out (one row per key ever used; tiny).
      `CREATE TABLE ls_task_fair_keys (
        universe text NOT NULL,
        concurrency_key text COLLATE "C" NOT NULL,
        last_tag bigint NOT NULL,
        PRIMARY KEY (universe, concurrency_key)
      )`,
      `CREATE TABLE ls_task_attempts (
        universe text NOT NULL,
        task_id text COLLATE "C" NOT NULL,
        attempt integer NOT NULL CHECK (attempt >= 1),
        claims integer NOT NULL CHECK (claims >= 1),
        dispatcher text NOT NULL,
        agent text NOT NULL,
        agent_revision bigint,
        model text,
        session_id text,
        run_id text,
        started_at bigint NOT NULL,
        ended_at bigint,
        outcome text NOT NULL CHECK (outcome IN ('running', 'succeeded', 'failed', 'blocked', 'cancelled')),
        error_class text,
        error text,
        usage text,
        cost_usd double precision,
        evidence jsonb NOT NULL,
        retry_at bigint,
        PRIMARY KEY (universe, task_id, attempt)
      )`,
    ],
  },
  {
    version: 6,
    name: 'dispatch controls',
    statements: [
      // Pauses of task dispatch: agent '' pauses the whole universe, any other value one agent.
      `CREATE TABLE ls_dispatch_pauses (
        universe text NOT NULL,
        agent text COLLATE "C" NOT NULL,
        reason text,
        paused_by text,
        paused_at bigint NOT NULL,
        PRIMARY KEY (universe, agent)
      )`,
      // Dispatchers alive: one heartbeat row per dispatcher and universe it serves.
      `CREATE TABLE ls_dispatchers (
        universe text NOT NULL,
        dispatcher_id text COLLATE "C" NOT NULL,
        started_at bigint NOT NULL,
        heartbeat_at bigint NOT NULL,
        in_flight integer NOT NULL,
        last_error text,
        last_error_at bigint,
        PRIMARY KEY (universe, dispatcher_id)
      )`,
    ],
  },
  {
    version: 7,
    name: 'memory sources and events',
    statements: [
      // The secret (sealed ciphertext or an env var name) is a column of its own so no read of a
      // source returns it by accident; only the webhook directory selects it.
      `CREATE TABLE ls_memory_sources (
        universe text NOT NULL,
        source_id text COLLATE "C" NOT NULL,
        provider text NOT NULL CHECK (provider IN ('github', 'linear', 'sentry', 'vercel')),
        display_name text,
        event_types text NOT NULL,
        webhook_id text NOT NULL,
        secret_kind text NOT NULL CHECK (secret_kind IN ('sealed', 'env')),
        secret text NOT NULL,
        revision bigint NOT NULL CHECK (revision >= 1),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, source_id)
      )`,
      `CREATE UNIQUE INDEX ls_memory_sources_webhook ON ls_memory_sources (webhook_id)`,
      // Immutable facts: one row per (universe, source key), so redeliveries and backfills are no-ops.
      `CREATE TABLE ls_memory_events (
        universe text NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        source_id text COLLATE "C" NOT NULL,
        provider text NOT NULL,
        type text NOT NULL,
        action text,
        occurred_at bigint NOT NULL,
        source_key text COLLATE "C" NOT NULL,
        delivery_id text,
        primary_type text,
        primary_key text,
        related text NOT NULL,
        title text NOT NULL,
        body text,
        attributes text NOT NULL,
        significance smallint NOT NULL CHECK (significance BETWEEN 0 AND 100),
        factors text NOT NULL,
        raw_ref text,
        received_at bigint NOT NULL,
        PRIMARY KEY (universe, event_id)
      )`,
      `CREATE UNIQUE INDEX ls_memory_events_source_key ON ls_memory_events (universe, source_key)`,
      `CREATE INDEX ls_memory_events_by_time ON ls_memory_events (universe, occurred_at DESC, event_id DESC)`,
      `CREATE INDEX ls_memory_events_by_primary ON ls_memory_events (universe, primary_type, primary_key) WHERE primary_key IS NOT NULL`,
    ],
  },
  {
    // 8, not 6: migrations 6 and 7 are the dispatcher and the memory webhooks (issues 15 and 16
    // were built beside each other). The ledger applies any version it has not seen, so the gap is safe.
    version: 8,
    name: 'schedules, triggers, sensor events',
    statements: [
      // The definition is canonical JSON; the fields the scheduler selects on are columns, the rest
      // of its state (counters, last outcome) is JSON. state_version guards every state write.
      `CREATE TABLE ls_schedules (
        universe text NOT NULL,
        schedule_id text COLLATE "C" NOT NULL,
        definition text NOT NULL,
        revision bigint NOT NULL CHECK (revision >= 1),
        paused boolean NOT NULL,
        next_at bigint,
        buffered_at bigint,
        state text NOT NULL,
        state_version bigint NOT NULL,
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, schedule_id)
      )`,
      // The tick reads only due rows across universes: both indexes hold unpaused rows only.
      `CREATE INDEX ls_schedules_due ON ls_schedules (next_at) WHERE NOT paused AND next_at IS NOT NULL`,
      `CREATE INDEX ls_schedules_buffered ON ls_schedules (buffered_at) WHERE NOT paused AND buffered_at IS NOT NULL`,
      // Who acts: one row per role ('scheduler'), taken by compare-and-set and held by a lease.
      `CREATE TABLE ls_scheduler_leases (
        name text PRIMARY KEY,
        owner text NOT NULL,
        expires_at bigint NOT NULL
      )`,
      // The webhook secret is a column of its own so no read of a trigger returns it by accident.
      `CREATE TABLE ls_triggers (
        universe text NOT NULL,
        trigger_id text COLLATE "C" NOT NULL,
        definition text NOT NULL,
        source text NOT NULL,
        enabled boolean NOT NULL,
        hook_id text,
        secret text,
        revision bigint NOT NULL CHECK (revision >= 1),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        PRIMARY KEY (universe, trigger_id)
      )`,
      `CREATE UNIQUE INDEX ls_triggers_hook ON ls_triggers (hook_id) WHERE hook_id IS NOT NULL`,
      `CREATE INDEX ls_triggers_by_source ON ls_triggers (universe, source) WHERE enabled`,
      // One row per dedupe key: the unique index is what makes a repeated delivery a no-op.
      `CREATE TABLE ls_sensor_events (
        universe text NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        source text NOT NULL,
        type text NOT NULL,
        external_id text,
        dedupe_key text COLLATE "C" NOT NULL,
        subject text,
        payload text NOT NULL,
        raw_ref text,
        received_at bigint NOT NULL,
        dispatched_at bigint,
        firings text NOT NULL,
        PRIMARY KEY (universe, event_id)
      )`,
      `CREATE UNIQUE INDEX ls_sensor_events_dedupe ON ls_sensor_events (universe, dedupe_key)`,
      `CREATE INDEX ls_sensor_events_by_received ON ls_sensor_events (universe, received_at DESC, event_id DESC)`,
      `CREATE INDEX ls_sensor_events_undispatched ON ls_sensor_events (received_at) WHERE dispatched_at IS NULL`,
    ],
  },
  {
    // 9: goal-loop workflows (issue 15, part 3). 7 is the memory branch's.
    version: 9,
    name: 'workflow instances',
    statements: [
      // The template snapshot, input, steps and history are JSON; what the sweep selects on
      // (status, current task) is columns. version guards every write (compare-and-set).
      `CREATE TABLE ls_workflow_instances (
        universe text NOT NULL,
        instance_key text COLLATE "C" NOT NULL,
        template_id text COLLATE "C" NOT NULL,
        template text NOT NULL,
        input text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
        state text NOT NULL,
        iteration integer NOT NULL CHECK (iteration >= 1),
        current_task_id text COLLATE "C",
        steps text NOT NULL,
        history text NOT NULL,
        reason text,
        version bigint NOT NULL CHECK (version >= 1),
        created_at bigint NOT NULL,
        updated_at bigint NOT NULL,
        finished_at bigint,
        PRIMARY KEY (universe, instance_key)
      )`,
      // The sweep joins running instances to their current task: a small partial index.
      `CREATE INDEX ls_workflow_instances_running ON ls_workflow_instances (updated_at) WHERE status = 'running'`,
    ],
  },
  {
    // 10: the memory entity graph (issue 16).
    version: 10,
    name: 'memory entities and edges',
    statements: [
      // One row per (universe, type, key); aliases map other keys of the same entity to it.
      `CREATE TABLE ls_memory_entities (
        universe text NOT NULL,
        type text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        title text,
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        event_count bigint NOT NULL,
        PRIMARY KEY (universe, type, key)
      )`,
      `CREATE TABLE ls_memory_entity_aliases (
        universe text NOT NULL,
        type text COLLATE "C" NOT NULL,
        alias text COLLATE "C" NOT NULL,
        key text COLLATE "C" NOT NULL,
        PRIMARY KEY (universe, type, alias)
      )`,
      `CREATE INDEX ls_memory_entity_aliases_by_key ON ls_memory_entity_aliases (universe, type, key)`,
      // An edge is one claim (type, from, to); its evidence is the events that made it, each once.
      `CREATE TABLE ls_memory_edges (
        universe text NOT NULL,
        edge_id text COLLATE "C" NOT NULL,
        type text COLLATE "C" NOT NULL,
        from_type text COLLATE "C" NOT NULL,
        from_key text COLLATE "C" NOT NULL,
        to_type text COLLATE "C" NOT NULL,
        to_key text COLLATE "C" NOT NULL,
        confidence real NOT NULL,
        first_seen bigint NOT NULL,
        last_seen bigint NOT NULL,
        settled_at bigint,
        invalid_at bigint,
        invalidated_by text,
        PRIMARY KEY (universe, edge_id)
      )`,
      `CREATE UNIQUE INDEX ls_memory_edges_claim ON ls_memory_edges (universe, type, from_type, from_key, to_type, to_key)`,
      `CREATE INDEX ls_memory_edges_from ON ls_memory_edges (universe, from_type, from_key)`,
      `CREATE INDEX ls_memory_edges_to ON ls_memory_edges (universe, to_type, to_key)`,
      `CREATE TABLE ls_memory_edge_evidence (
        universe text NOT NULL,
        edge_id text COLLATE "C" NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        occurred_at bigint NOT NULL,
        PRIMARY KEY (universe, edge_id, event_id)
      )`,
    ],
  },
  {
    // 11: a memory source's explicit people mappings (issue 16), JSON like event_types.
    version: 11,
    name: 'memory source people',
    statements: [`ALTER TABLE ls_memory_sources ADD COLUMN people text NOT NULL DEFAULT '[]'`],
  },
  {
    // 12: memory search (issue 17): full text over events, and their embeddings per model.
    version: 12,
    name: 'memory search',
    statements: [
      // Generated, so the ingest path writes no extra column: title weighs most, then the body, then
      // the type and primary key (`pull_request`, `github:octo/app#7` read as words).
      `ALTER TABLE ls_memory_events ADD COLUMN search_doc tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('english', title), 'A') ||
        setweight(to_tsvector('english', coalesce(body, '')), 'B') ||
        setweight(to_tsvector('simple', type || ' ' || coalesce(action, '') || ' ' || coalesce(primary_key, '')), 'C')
      ) STORED`,
      `CREATE INDEX ls_memory_events_search ON ls_memory_events USING gin (search_doc)`,
      // Search's entity path looks up `github:%#12` (an issue of any repository) and branch names by
      // their end: an index on the reversed key makes a suffix a range.
      `CREATE INDEX ls_memory_entities_by_suffix ON ls_memory_entities (universe, type, reverse(key))`,
      // real[] on every server: with pgvector an HNSW expression index per model casts it to
      // vector(dims) (sql-memory-vectors.ts); without it search scores exact cosine over the array.
      `CREATE TABLE ls_memory_embeddings (
        universe text NOT NULL,
        model text COLLATE "C" NOT NULL,
        event_id text COLLATE "C" NOT NULL,
        dims integer NOT NULL CHECK (dims BETWEEN 1 AND 4096),
        embedding real[] NOT NULL,
        indexed_at bigint NOT NULL,
        PRIMARY KEY (universe, model, event_id)
      )`,
      // The background indexer's state per model: what failed last and when to try again.
      `CREATE TABLE ls_memory_index_state (
        model text COLLATE "C" PRIMARY KEY,
        dims integer NOT NULL,
        failures integer NOT NULL DEFAULT 0,
        last_error text,
        last_error_at bigint,
        retry_at bigint,
        last_batch_at bigint
      )`,
    ],
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
