export * from './agent-host.js';
export * from './ports.js';
export * from './retry-policy.js';
export * from './failure.js';
export * from './sleep.js';
export * from './retrying.js';
export * from './effects.js';
export * from './tool-schedule.js';
