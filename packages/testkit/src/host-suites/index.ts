// The suites every host must pass: they register vitest tests and assertions (vitest is a peer).
export * from './scenarios.js';
export * from './kill-mid-run.js';
export * from './kill-while-waiting.js';
export * from './sub-agents.js';
