export * from './embedded-host.js';
export * from './session-actor.js';
export * from './memory-session-store.js';
export * from './data-dir-lock.js';
export * from './memory-stores.js';
/** Re-exported for hosts and tests that take the in-process channel from here. */
export { MemoryLiveChannel } from '@lightspeed/driver';
