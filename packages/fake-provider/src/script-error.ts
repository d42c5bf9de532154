/** A script (or a recording to replay) the fake provider refuses: answered 400, never silently echoed. */
export class FakeScriptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FakeScriptError';
  }
}
