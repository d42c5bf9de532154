import type { BlobRef } from '@lightspeed/engine';

/*
 * Memory (issue 16), storage half: connected sources and the canonical events their verified
 * webhooks become. Verification, transforms, significance and secret sealing are
 * `@lightspeed/memory` (docs/0022-memory.md); the SQL implementation is `@lightspeed/store-sql`.
 */

export type MemoryProvider = 'github' | 'linear' | 'sentry' | 'vercel';
export const MEMORY_PROVIDERS: readonly MemoryProvider[] = ['github', 'linear', 'sentry', 'vercel'];

/**
 * How a source's webhook secret is kept: sealed (encrypted with the server key, the ciphertext
 * opaque to the store) or referenced by the name of an environment variable of the server.
 * Neither form is ever returned by a read of the source.
 */
export type MemorySecretRecord = { kind: 'sealed'; sealed: string } | { kind: 'env'; name: string };

/**
 * One person's identities across tools, stated by whoever configures the source: the person
 * entities they name are one entity (keyed `email:<address>` when an email is given). Never
 * inferred from names. At least two identities per entry.
 */
export interface MemoryPersonMapping {
  /** GitHub login (`github:<login>`). */
  github?: string;
  /** Linear user id (`linear:user:<id>`). */
  linear?: string;
  /** Sentry user id (`sentry:user:<id>`). */
  sentry?: string;
  /** Vercel user id (`vercel:user:<id>`). */
  vercel?: string;
  email?: string;
}

export interface MemorySourceRecordInput {
  provider: MemoryProvider;
  displayName?: string;
  /** Canonical types accepted (`pull_request`, `Issue`…); empty accepts every type. */
  eventTypes: string[];
  secret: MemorySecretRecord;
  /** Explicit people mappings applied to this source's events (none when absent). */
  people?: MemoryPersonMapping[];
}

export interface MemorySource {
  sourceId: string;
  provider: MemoryProvider;
  displayName?: string;
  eventTypes: string[];
  people: MemoryPersonMapping[];
  /** The path segment of `POST /webhooks/<provider>/<webhookId>`: unguessable, unique across universes. */
  webhookId: string;
  secretKind: MemorySecretRecord['kind'];
  /** The variable name when `secretKind` is `env` (a name is not a secret). */
  secretEnv?: string;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

export interface MemorySourceStore {
  /** Creates or replaces a source; `expectedRevision` 0 means "must not exist". */
  put(sourceId: string, input: MemorySourceRecordInput, options?: { expectedRevision?: number }): Promise<MemorySource>;
  get(sourceId: string): Promise<MemorySource | undefined>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ sources: MemorySource[]; nextCursor?: string }>;
  delete(sourceId: string): Promise<boolean>;
}

/** `POST /webhooks/<provider>/<webhookId>` → the universe, source and stored secret, across universes. */
export interface MemorySourceDirectory {
  resolve(webhookId: string): Promise<{ universe: string; source: MemorySource; secret: MemorySecretRecord } | undefined>;
}

export interface MemoryEntityRef {
  /** repository, pr, issue, commit, branch, release, deployment, project, cycle, person, service, error… */
  type: string;
  /** Stable within the type: `github:octo/repo#12`, `linear:ENG-42`. */
  key: string;
}

export interface MemoryRelatedEntity extends MemoryEntityRef {
  /** How the event relates it: `repository`, `author`, `head_branch`, `commit`… */
  relation: string;
}

export interface SignificanceFactor {
  /** The rule of the table that applied (docs/0022-memory.md). */
  rule: string;
  points: number;
}

export type MemoryAttribute = string | number | boolean | null;

export interface MemoryEventInput {
  sourceId: string;
  provider: MemoryProvider;
  /** The provider's event type (`pull_request`, `Issue`, `issue`, `deployment.succeeded`). */
  type: string;
  action?: string;
  occurredAt: number;
  /** The dedupe key across redeliveries and backfills: one event per (universe, sourceKey). */
  sourceKey: string;
  deliveryId?: string;
  primary?: MemoryEntityRef;
  related: MemoryRelatedEntity[];
  title: string;
  /** Bounded (see MAX_MEMORY_BODY_CHARS in @lightspeed/memory). */
  body?: string;
  attributes: Record<string, MemoryAttribute>;
  significance: number;
  factors: SignificanceFactor[];
  /** The raw delivery (headers without secrets, body) in CAS. */
  rawRef?: BlobRef;
  /**
   * Or the raw delivery itself: the store puts it in CAS in the event's transaction (one round
   * trip fewer per delivery) and the event's `rawRef` is its ref. Not part of the read event.
   */
  raw?: { bytes: Uint8Array; mediaType?: string };
  /** Entities and edges the event asserts, written with it in one transaction (not part of the read event). */
  graph?: MemoryGraphInput;
}

export interface MemoryEvent extends MemoryEventInput {
  eventId: string;
  receivedAt: number;
}

export interface MemoryEventStore {
  /** Records the event once per source key; a repeat answers the original with `deduped: true`. */
  record(input: MemoryEventInput): Promise<{ event: MemoryEvent; deduped: boolean }>;
  get(eventId: string): Promise<MemoryEvent | undefined>;
  /** Newest `occurredAt` first; `entity`: only events whose primary or related entities include it. */
  list(options?: { provider?: MemoryProvider; type?: string; sourceId?: string; minSignificance?: number; entity?: MemoryEntityRef; limit?: number; cursor?: string }): Promise<{ events: MemoryEvent[]; nextCursor?: string }>;
}

/*
 * The entity graph (issue 16): entities deduped by (universe, type, key), reachable by aliases, and
 * typed edges between them with the events that support them. `@lightspeed/memory` extracts a
 * MemoryGraphInput from each canonical event; the store writes it in the event's transaction.
 */

/** The types the transforms produce; the store accepts any lower-case type (`tag`, `team`…). */
export const MEMORY_ENTITY_TYPES = ['repository', 'pr', 'issue', 'commit', 'branch', 'release', 'deployment', 'project', 'cycle', 'person', 'service', 'error'] as const;

export interface MemoryEntityInput extends MemoryEntityRef {
  /** Other keys naming the same entity (`linear:issue:<uuid>` for `linear:ENG-42`). */
  aliases?: string[];
  title?: string;
}

export interface MemoryEdgeInput {
  /** fixes, closes, resolves, references, deploys, authored_by, belongs_to, tracked_in… */
  type: string;
  from: MemoryEntityRef;
  to: MemoryEntityRef;
  /** The event proves the claim holds from now on (a "fixes" PR merged): a later reopen can void it. */
  settled?: boolean;
  /** 0-1; 1 (a payload field) unless given. */
  confidence?: number;
}

/**
 * An edge this event proves together with edges already stored: for each edge of `viaEdgeTypes`
 * into `via` (another event's claim), an edge `type` between `self` and that edge's `from`, its
 * evidence this event and the other's. A deployment and a merged PR naming one commit are
 * `same_commit`; a Sentry error in the release a deployment shipped is `caused_by` it.
 */
export interface MemoryEdgeJoin {
  type: string;
  self: MemoryEntityRef;
  /** Whether `self` is the new edge's `from` (else its `to`). */
  selfIs: 'from' | 'to';
  via: MemoryEntityRef;
  viaEdgeTypes: string[];
  /** Only other claims first seen at or before this event (a cause precedes its effect). */
  onlyEarlier?: boolean;
  /** 0-1; 1 unless given. */
  confidence?: number;
}

export interface MemoryGraphInput {
  entities: MemoryEntityInput[];
  edges: MemoryEdgeInput[];
  /** Edges of these types into `to` made untrue by this event (an issue reopened). */
  invalidate: { types: string[]; to: MemoryEntityRef }[];
  joins?: MemoryEdgeJoin[];
}

export interface MemoryEntity extends MemoryEntityRef {
  aliases: string[];
  title?: string;
  firstSeen: number;
  lastSeen: number;
  eventCount: number;
}

export interface MemoryEdge {
  type: string;
  from: MemoryEntityRef;
  to: MemoryEntityRef;
  /** The ids of the events that support the edge, oldest first (at most MAX_EDGE_EVIDENCE). */
  evidence: string[];
  evidenceCount: number;
  /** 1 for a structured payload field, lower for a reference read from text. */
  confidence: number;
  firstSeen: number;
  lastSeen: number;
  settledAt?: number;
  invalidAt?: number;
  invalidatedBy?: string;
}

export interface MemoryNeighbourhood {
  root: MemoryEntity;
  entities: MemoryEntity[];
  edges: MemoryEdge[];
}

export interface MemoryGraphStore {
  /** By key or alias. */
  entity(ref: MemoryEntityRef): Promise<MemoryEntity | undefined>;
  entities(options?: { type?: string; limit?: number; cursor?: string }): Promise<{ entities: MemoryEntity[]; nextCursor?: string }>;
  /** Entities within `depth` (1-3) edges of `ref`, following edges either way; `asOf` hides edges not yet seen or already invalid then. */
  neighbours(ref: MemoryEntityRef, options?: { depth?: number; edgeTypes?: string[]; entityTypes?: string[]; asOf?: number }): Promise<MemoryNeighbourhood | undefined>;
}
