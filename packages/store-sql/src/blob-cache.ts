/**
 * An LRU of verified blob bytes bounded by their total size. Map iteration order is insertion
 * order, so re-inserting on hit makes the first key the least recently used.
 */
export class BlobCache {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(key: string): Uint8Array | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: Uint8Array): void {
    // A blob bigger than a quarter of the cache would flush everything else for one entry.
    if (value.byteLength > this.maxBytes / 4) return;
    this.delete(key);
    this.entries.set(key, value);
    this.bytes += value.byteLength;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.byteLength;
    }
  }

  delete(key: string): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.bytes -= value.byteLength;
  }

  get size(): number {
    return this.bytes;
  }

  get count(): number {
    return this.entries.size;
  }
}

/** Cache keys are scoped by universe like everything else. */
export function cacheKeyOf(universe: string, ref: string): string {
  return `${universe}\u0000${ref}`;
}
