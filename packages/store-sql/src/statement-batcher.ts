/*
 * Coalesces concurrent calls into multi-row statements. At most `maxInFlight` statements run at
 * once; calls arriving meanwhile queue (per key, e.g. the universe) and go out together in the
 * next statement, so under load many calls share one round trip and one commit, while a lone call
 * goes out at once. Each caller's promise settles when the statement holding its item has
 * committed (or failed: every caller of that statement gets the error).
 */

interface Waiter<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class StatementBatcher<I, O> {
  private readonly queues = new Map<string, Waiter<I, O>[]>();
  private readonly busy = new Set<string>();
  private inFlight = 0;
  private readonly maxBatch: number;
  private readonly maxWeight: number;
  private readonly weight: (item: I) => number;
  private readonly onePerKey: boolean;

  /**
   * @param run writes one batch (items in arrival order) and answers one result per item, in order.
   * @param options.maxBatch the most items one statement carries (default 256); the rest wait for the next.
   * @param options.weight an item's size (bytes it sends); a statement carries at most `maxWeight`
   *   (default 4 MiB) of them, and always at least one item, so large payloads do not pile up.
   * @param options.onePerKey at most one statement per key at a time (for writes that serialise on
   *   a row of the key anyway): a key's calls gather while its statement runs — group commit.
   */
  constructor(
    private readonly maxInFlight: number,
    private readonly run: (key: string, items: I[]) => Promise<O[]>,
    options: { maxBatch?: number; weight?: (item: I) => number; maxWeight?: number; onePerKey?: boolean } = {},
  ) {
    this.maxBatch = options.maxBatch ?? 256;
    this.weight = options.weight ?? (() => 0);
    this.maxWeight = options.maxWeight ?? 4 * 1024 * 1024;
    this.onePerKey = options.onePerKey ?? false;
  }

  /** How many of the queue's first items the next statement takes. */
  private batchLength(queue: readonly Waiter<I, O>[]): number {
    let weight = 0;
    let n = 0;
    while (n < queue.length && n < this.maxBatch) {
      weight += this.weight(queue[n]!.item);
      if (n > 0 && weight > this.maxWeight) break;
      n++;
    }
    return n;
  }

  submit(key: string, item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const queue = this.queues.get(key);
      if (queue) queue.push({ item, resolve, reject });
      else this.queues.set(key, [{ item, resolve, reject }]);
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight) {
      const next = this.nextKey();
      if (next === undefined) return;
      const [key, queue] = next;
      const batch = queue.splice(0, this.batchLength(queue));
      // A key with more waiting goes to the back, so one busy key cannot starve the others.
      this.queues.delete(key);
      if (queue.length > 0) this.queues.set(key, queue);
      this.inFlight++;
      if (this.onePerKey) this.busy.add(key);
      void this.flush(key, batch).finally(() => {
        this.inFlight--;
        this.busy.delete(key);
        this.pump();
      });
    }
  }

  /** The first waiting key that may send now. */
  private nextKey(): [string, Waiter<I, O>[]] | undefined {
    for (const entry of this.queues) if (!this.busy.has(entry[0])) return entry;
    return undefined;
  }

  private async flush(key: string, batch: Waiter<I, O>[]): Promise<void> {
    try {
      const results = await this.run(
        key,
        batch.map((waiter) => waiter.item),
      );
      batch.forEach((waiter, i) => waiter.resolve(results[i]!));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    }
  }
}
