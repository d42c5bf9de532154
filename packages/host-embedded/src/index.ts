export * from './embedded-host.js';
export * from './session-actor.js';
export * from './memory-stores.js';
