/**
 * Serialises a session's admissions and commits: handlers and effect results arrive concurrently
 * with the drive loop, and each must see the state the previous one committed. Pure (promises
 * only), so Temporal workflow code uses it too.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
