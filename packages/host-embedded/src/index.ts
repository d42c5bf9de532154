export * from './embedded-host.js';
export * from './session-actor.js';
export * from './memory-session-store.js';
export * from './memory-live-channel.js';
export * from './data-dir-lock.js';
export * from './mutex.js';
export * from './memory-stores.js';
