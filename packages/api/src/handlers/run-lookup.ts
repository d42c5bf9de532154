/** An accepted run the returned state does not hold is a host bug, not a client error. */
export function internalRunMissing(runId: string): Error {
  return new Error(`run ${runId} was admitted but is missing from the returned state`);
}
