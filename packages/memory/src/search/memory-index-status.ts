import type { Embedder, MemoryIndexState, MemoryVectorIndex } from '@lightspeed/ports';

/** `memory/index/status`: how many of a universe's events have a vector of the current model, and the indexer's last failure. */
export interface MemoryIndexStatus {
  /** Absent: no embedder configured (search runs lexical + entity). */
  model?: string;
  dimensions?: number;
  events: number;
  embedded: number;
  pending: number;
  failures: number;
  lastError?: string;
  lastErrorAt?: number;
  retryAt?: number;
  lastBatchAt?: number;
}

export class MemoryIndexStatusService {
  constructor(
    private readonly index: MemoryVectorIndex,
    private readonly embedder: Embedder | undefined,
  ) {}

  async status(universe: string): Promise<MemoryIndexStatus> {
    if (!this.embedder) {
      const { events } = await this.index.counts(universe, '-');
      return { events, embedded: 0, pending: events, failures: 0 };
    }
    const { model, dimensions } = this.embedder;
    const [counts, state] = await Promise.all([this.index.counts(universe, model), this.index.state(model)]);
    return { model, dimensions, events: counts.events, embedded: counts.embedded, pending: Math.max(0, counts.events - counts.embedded), ...failureOf(state) };
  }
}

function failureOf(state: MemoryIndexState | undefined): Pick<MemoryIndexStatus, 'failures' | 'lastError' | 'lastErrorAt' | 'retryAt' | 'lastBatchAt'> {
  if (!state) return { failures: 0 };
  return {
    failures: state.failures,
    ...(state.lastError !== undefined ? { lastError: state.lastError } : {}),
    ...(state.lastErrorAt !== undefined ? { lastErrorAt: state.lastErrorAt } : {}),
    ...(state.retryAt !== undefined ? { retryAt: state.retryAt } : {}),
    ...(state.lastBatchAt !== undefined ? { lastBatchAt: state.lastBatchAt } : {}),
  };
}
