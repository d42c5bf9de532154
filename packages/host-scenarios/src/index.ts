export * from './harness.js';
export * from './scenarios.js';
export * from './kill-mid-run.js';
