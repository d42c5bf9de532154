export * from './staged.js';
export * from './settle.js';
export * from './effect-key.js';
export * from './reconcile.js';
export * from './due-timers.js';
export * from './mutex.js';
