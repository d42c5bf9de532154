// The host harness: no vitest here, so scripts (history recording, benchmarks) can load it too.
export * from './harness.js';
