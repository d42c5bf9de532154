import { systemClock, type Clock, type Embedder, type MemoryPendingEvent, type MemoryVectorIndex, type MemoryVectorMode } from '@lightspeed/ports';

/*
 * The background indexer (issue 17): embeds the events that have no vector of the current model
 * yet, a batch at a time, and stores the vectors with their model. Its state is SQL: "what is
 * left" is the events without a vector of the model (so a restart resumes exactly there), and
 * failures (count, last error, when to retry) are a row per model. A new model starts from zero
 * beside the old vectors; search reads only the current model's, so it serves lexical + entity
 * (and whatever is embedded already) while the new index fills — no downtime.
 */

/** Characters of an event embedded: models read a few hundred tokens; the title and the start of the body say most. */
export const MAX_EMBEDDED_CHARS = 4000;

export function embeddingText(event: Pick<MemoryPendingEvent, 'type' | 'title' | 'body'>): string {
  return `${event.title}\n${event.type}\n${event.body ?? ''}`.slice(0, MAX_EMBEDDED_CHARS);
}

export interface MemoryIndexerOptions {
  index: MemoryVectorIndex;
  embedder: Embedder;
  clock?: Clock;
  /** Events per embed call (default 64). */
  batchSize?: number;
  /** Poll for events other processes recorded when idle (default 30 s; this process's own records wake it). */
  idleMs?: number;
  /** First retry delay after a failure, doubled per consecutive failure up to maxBackoffMs (defaults 1 s, 5 min). */
  backoffMs?: number;
  maxBackoffMs?: number;
  log?: (line: string) => void;
}

export interface IndexerStep {
  /** Vectors stored by this step. */
  embedded: number;
  /** The error of a failed batch (it is retried after the backoff). */
  error?: string;
  /** Waiting for the backoff of an earlier failure. */
  waitingUntil?: number;
}

export class MemoryIndexer {
  private readonly clock: Clock;
  private readonly batchSize: number;
  private mode: Promise<MemoryVectorMode> | undefined;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(private readonly options: MemoryIndexerOptions) {
    this.clock = options.clock ?? systemClock;
    this.batchSize = Math.max(1, Math.min(options.batchSize ?? 64, 1000));
  }

  get model(): string {
    return this.options.embedder.model;
  }

  /** Prepares the model's storage (its HNSW index) once; a failure is retried on the next step. */
  prepare(): Promise<MemoryVectorMode> {
    const { embedder, index } = this.options;
    this.mode ??= index.prepare(embedder.model, embedder.dimensions).catch((error: unknown) => {
      this.mode = undefined;
      throw error;
    });
    return this.mode;
  }

  /** One batch: what the loop does each turn, and what tests drive directly. */
  async step(): Promise<IndexerStep> {
    const { embedder, index } = this.options;
    await this.prepare();
    const state = await index.state(embedder.model);
    const now = this.clock.now();
    if (state?.retryAt !== undefined && state.retryAt > now) return { embedded: 0, waitingUntil: state.retryAt };
    const pending = await index.pending(embedder.model, this.batchSize);
    if (pending.length === 0) return { embedded: 0 };
    try {
      const vectors = await embedder.embed(pending.map(embeddingText), { purpose: 'document' });
      if (vectors.length !== pending.length) throw new Error(`the embedder returned ${vectors.length} vectors for ${pending.length} texts`);
      await index.put(
        embedder.model,
        pending.map((event, i) => ({ universe: event.universe, eventId: event.eventId, vector: vectors[i]! })),
      );
      return { embedded: pending.length };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failures = (state?.failures ?? 0) + 1;
      const base = this.options.backoffMs ?? 1000;
      const delay = Math.min(this.options.maxBackoffMs ?? 5 * 60_000, base * 2 ** (failures - 1));
      await index.recordFailure(embedder.model, embedder.dimensions, message, now + delay);
      this.options.log?.(`memory indexer: embedding ${pending.length} events with ${embedder.model} failed (${failures} in a row), retrying in ${delay} ms: ${message}`);
      return { embedded: 0, error: message };
    }
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New events were recorded: index them now rather than at the next poll. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async close(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait = 0;
      try {
        const step = await this.step();
        if (step.waitingUntil !== undefined) wait = Math.max(10, step.waitingUntil - this.clock.now());
        else if (step.embedded === 0) wait = step.error ? 0 : this.options.idleMs ?? 30_000;
      } catch (error) {
        // The store itself failed (not the embedder): try again after a pause rather than spin.
        this.options.log?.(`memory indexer: ${error instanceof Error ? error.message : String(error)}`);
        wait = this.options.backoffMs ?? 1000;
      }
      if (wait > 0 && this.running) await this.sleep(wait);
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        this.woken = false;
        done();
      };
    });
  }
}
