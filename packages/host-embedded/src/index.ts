export * from './embedded-host.js';
export * from './session-actor.js';
export * from './mutex.js';
export * from './memory-stores.js';
