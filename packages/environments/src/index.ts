export * from './isolation.js';
export * from './redact.js';
export * from './change-patch.js';
export * from './environment-state.js';
export * from './environment.js';
export * from './environments.js';
export * from './delegation.js';
export * from './universe-environments.js';
