/**
 * Bytes that raw uploads in progress may hold in memory together. An upload reserves its declared
 * size before reading a byte and releases it when done, so many concurrent large uploads are
 * refused up front instead of growing the heap until the process dies.
 */
export class UploadBudget {
  private held = 0;

  constructor(readonly maxBytes: number) {}

  /** Reserves `bytes`; false when that would go over the budget (the caller answers 503). */
  tryReserve(bytes: number): boolean {
    if (this.held + bytes > this.maxBytes) return false;
    this.held += bytes;
    return true;
  }

  release(bytes: number): void {
    this.held = Math.max(0, this.held - bytes);
  }

  get heldBytes(): number {
    return this.held;
  }
}
