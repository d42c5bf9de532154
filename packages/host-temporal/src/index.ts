export * from './definitions.js';
export * from './activity-types.js';
export * from './host-stores.js';
export * from './activities.js';
export * from './worker.js';
export * from './temporal-agent-host.js';
export * from './settings.js';
