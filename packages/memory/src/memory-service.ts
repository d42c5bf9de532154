import { randomBytes } from 'node:crypto';
import { LightspeedError, systemClock, type BlobStore, type Clock, type Embedder, type MemoryEventStore, type MemorySearchStore, type MemoryVectorIndex, type MemoryGraphStore, type MemoryPersonMapping, type MemoryProvider, type MemorySecretRecord, type MemorySource, type MemorySourceDirectory, type MemorySourceStore } from '@lightspeed/ports';
import { MemoryIngress } from './memory-ingress.js';
import { checkPeople } from './people-mapping.js';
import { SecretBox } from './secret-box.js';
import type { SensorSink } from './sensor-bridge.js';
import { MemoryIndexer } from './search/memory-indexer.js';
import { MemorySearch } from './search/memory-search.js';
import { MemoryIndexStatusService } from './search/memory-index-status.js';

/*
 * What the API serves for memory: sources (the secret sealed here before the store sees it, or
 * referenced by env var name) and the ingress of their webhooks. A source created without a
 * secret gets a generated one, returned once.
 */

/** The stores memory runs on (the SQL store's `Storage` has them all). */
export interface MemoryStores {
  memorySources(universe: string): MemorySourceStore;
  memorySourceDirectory(): MemorySourceDirectory;
  memoryEvents(universe: string): MemoryEventStore;
  memoryGraph(universe: string): MemoryGraphStore;
  memorySearch(universe: string): MemorySearchStore;
  memoryVectors(): MemoryVectorIndex;
  blobs(universe: string): BlobStore;
}

export interface SourceInput {
  sourceId: string;
  provider: MemoryProvider;
  displayName?: string;
  eventTypes?: string[];
  /** The provider's webhook secret (write-only). */
  secret?: string;
  /** Or: the server environment variable holding it. */
  secretEnv?: string;
  /** Explicit people mappings (people-mapping.ts); absent keeps none. */
  people?: MemoryPersonMapping[];
}

export class MemorySourceService {
  constructor(
    private readonly stores: Pick<MemoryStores, 'memorySources'>,
    private readonly box: SecretBox | undefined,
    /** Called after every put and delete (the ingress drops its cached sources). */
    private readonly changed: () => void = () => {},
  ) {}

  async put(universe: string, input: SourceInput, expectedRevision?: number): Promise<{ source: MemorySource; secret?: string }> {
    if (input.secret !== undefined && input.secretEnv !== undefined) throw new LightspeedError('invalid', 'give secret or secretEnv, not both', { field: 'secret' });
    const people = checkPeople(input.people ?? []);
    const store = this.stores.memorySources(universe);
    let generated: string | undefined;
    let record: MemorySecretRecord;
    if (input.secretEnv !== undefined) {
      record = { kind: 'env', name: input.secretEnv };
    } else {
      if (!this.box) throw new LightspeedError('unavailable', 'storing a webhook secret needs LIGHTSPEED_MEMORY_KEY on the server (or pass secretEnv, the name of a server env var holding it)');
      let secret = input.secret;
      if (secret === undefined) {
        const current = await store.get(input.sourceId);
        // Updating other fields keeps the stored secret: the provider is configured with it.
        if (current) throw new LightspeedError('invalid', `memory source ${input.sourceId} exists: pass its secret (or secretEnv) again to update it`, { field: 'secret' });
        secret = generated = randomBytes(24).toString('base64url');
      }
      record = { kind: 'sealed', sealed: this.box.seal(secret, { universe, sourceId: input.sourceId }) };
    }
    const source = await store.put(
      input.sourceId,
      { provider: input.provider, eventTypes: input.eventTypes ?? [], secret: record, people, ...(input.displayName !== undefined ? { displayName: input.displayName } : {}) },
      expectedRevision === undefined ? {} : { expectedRevision },
    );
    this.changed();
    return generated ? { source, secret: generated } : { source };
  }

  async read(universe: string, sourceId: string): Promise<MemorySource> {
    const source = await this.stores.memorySources(universe).get(sourceId);
    if (!source) throw new LightspeedError('not_found', `memory source ${sourceId} does not exist; list them with memory/sources/list`, { sourceId });
    return source;
  }

  list(universe: string, options: { limit?: number; cursor?: string }) {
    return this.stores.memorySources(universe).list(options);
  }

  async delete(universe: string, sourceId: string): Promise<MemorySource> {
    const source = await this.read(universe, sourceId);
    await this.stores.memorySources(universe).delete(sourceId);
    this.changed();
    return source;
  }
}

export interface Memory {
  sources: MemorySourceService;
  events(universe: string): MemoryEventStore;
  /** The entities and edges the events built. */
  graph(universe: string): MemoryGraphStore;
  ingress: MemoryIngress;
  /** Hybrid search (issue 17): lexical + entity always, vector when an embedder is configured. */
  search: MemorySearch;
  /** How far the background indexer got for the current model (absent without an embedder). */
  indexStatus: MemoryIndexStatusService;
  /** The background indexer, running when an embedder is configured. */
  indexer?: MemoryIndexer;
  /** Stops the indexer. */
  close(): Promise<void>;
}

/** An event store that tells the indexer when the ingress recorded something new. */
function notifying(store: MemoryEventStore, recorded: () => void): MemoryEventStore {
  return {
    record: async (input) => {
      const result = await store.record(input);
      if (!result.deduped) recorded();
      return result;
    },
    get: (eventId) => store.get(eventId),
    list: (options) => store.list(options),
  };
}

/** Sources, events and the webhook ingress over one set of stores; the server key comes from the environment. */
export function createMemory(
  stores: MemoryStores,
  options: {
    clock?: Clock;
    env?: NodeJS.ProcessEnv;
    box?: SecretBox;
    maxBodyBytes?: number;
    ratePerSecond?: number;
    burst?: number;
    sensors?: SensorSink;
    /** Turns on the vector path and starts the background indexer; none keeps search lexical + entity. */
    embedder?: Embedder;
    /** Run the background indexer here (default true with an embedder); short-lived CLI processes search without one. */
    runIndexer?: boolean;
    /** Indexer tuning (batch size, backoff) and its log. */
    indexer?: { batchSize?: number; idleMs?: number; backoffMs?: number; maxBackoffMs?: number; log?: (line: string) => void };
  } = {},
): Memory {
  const env = options.env ?? process.env;
  const box = options.box ?? SecretBox.fromEnv(env);
  const clock = options.clock ?? systemClock;
  const indexer = options.embedder && options.runIndexer !== false ? new MemoryIndexer({ ...options.indexer, index: stores.memoryVectors(), embedder: options.embedder, clock }) : undefined;
  const ingress = new MemoryIngress({
    directory: stores.memorySourceDirectory(),
    events: (u) => (indexer ? notifying(stores.memoryEvents(u), () => indexer.wake()) : stores.memoryEvents(u)),
    blobs: (u) => stores.blobs(u),
    clock,
    env,
    ...(box ? { box } : {}),
    ...(options.maxBodyBytes ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.ratePerSecond ? { ratePerSecond: options.ratePerSecond } : {}),
    ...(options.burst ? { burst: options.burst } : {}),
    ...(options.sensors ? { sensors: options.sensors } : {}),
  });
  indexer?.start();
  return {
    sources: new MemorySourceService(stores, box, () => ingress.forget()),
    events: (u) => stores.memoryEvents(u),
    graph: (u) => stores.memoryGraph(u),
    ingress,
    search: new MemorySearch({ stores: (u) => stores.memorySearch(u), ...(options.embedder ? { embedder: options.embedder } : {}) }),
    indexStatus: new MemoryIndexStatusService(stores.memoryVectors(), options.embedder),
    ...(indexer ? { indexer } : {}),
    close: async () => {
      await indexer?.close();
    },
  };
}
