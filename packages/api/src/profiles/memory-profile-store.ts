import { canonicalJson } from '@lightspeed/engine';
import { LightspeedError, systemClock, type Clock, type ProfileRecord, type ProfileStore } from '@lightspeed/ports';

/**
 * Profiles held in process memory, for gateways without a SQL store (tests, `--data-dir :memory:`).
 * Same semantics as the SQL store: canonical-JSON comparison, compare-and-set on revision.
 */
export class MemoryProfileStore implements ProfileStore {
  private readonly records = new Map<string, { record: ProfileRecord; text: string }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async get(id: string): Promise<ProfileRecord | undefined> {
    const entry = this.records.get(id);
    return entry ? structuredClone(entry.record) : undefined;
  }

  async list(options: { limit?: number; cursor?: string } = {}): Promise<{ profiles: ProfileRecord[]; nextCursor?: string }> {
    const limit = Math.max(1, Math.min(Math.trunc(options.limit ?? 100), 1000));
    const after = options.cursor === undefined ? undefined : Buffer.from(options.cursor, 'base64url').toString('utf8');
    const ids = [...this.records.keys()].sort().filter((id) => after === undefined || id > after);
    const profiles = ids.slice(0, limit).map((id) => structuredClone(this.records.get(id)!.record));
    const last = profiles[profiles.length - 1];
    return ids.length > limit && last ? { profiles, nextCursor: Buffer.from(last.id).toString('base64url') } : { profiles };
  }

  async create(id: string, document: Record<string, unknown>): Promise<ProfileRecord> {
    if (this.records.has(id)) throw new LightspeedError('conflict', `profile ${id} already exists; replace it with profiles/put`, { profileId: id });
    return this.store(id, document, undefined);
  }

  async put(id: string, document: Record<string, unknown>, expectedRevision?: number): Promise<ProfileRecord> {
    const current = this.records.get(id);
    if (current && expectedRevision !== undefined && current.record.revision !== expectedRevision) throw stale(id, expectedRevision, current.record.revision);
    if (current && current.text === canonicalJson(document)) return structuredClone(current.record);
    return this.store(id, document, current?.record);
  }

  async delete(id: string, expectedRevision?: number): Promise<ProfileRecord> {
    const current = this.records.get(id);
    if (!current) throw new LightspeedError('not_found', `profile ${id} does not exist`, { profileId: id });
    if (expectedRevision !== undefined && current.record.revision !== expectedRevision) throw stale(id, expectedRevision, current.record.revision);
    this.records.delete(id);
    return current.record;
  }

  private store(id: string, document: Record<string, unknown>, previous: ProfileRecord | undefined): ProfileRecord {
    const text = canonicalJson(document);
    const now = this.clock.now();
    const record: ProfileRecord = { id, document: JSON.parse(text) as Record<string, unknown>, revision: (previous?.revision ?? 0) + 1, createdAt: previous?.createdAt ?? now, updatedAt: now };
    this.records.set(id, { record, text });
    return structuredClone(record);
  }
}

function stale(id: string, expectedRevision: number, actualRevision: number): LightspeedError {
  return new LightspeedError('conflict', `profile ${id} is at revision ${actualRevision}, not ${expectedRevision}; read it again and retry`, { profileId: id, expectedRevision, actualRevision });
}

/** One MemoryProfileStore per universe. */
export function memoryProfileStores(): (universe: string) => ProfileStore {
  const all = new Map<string, ProfileStore>();
  return (universe) => {
    let store = all.get(universe);
    if (!store) all.set(universe, (store = new MemoryProfileStore()));
    return store;
  };
}
