export * from './memory-session-store.js';
export * from './memory-live-channel.js';
export * from './memory-head-signal.js';
export * from './memory-task-event-channel.js';
