/** The stream ended (or was cut) before the provider's terminal event: a transient network failure. */
export class StreamIncompleteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamIncompleteError';
  }
}
