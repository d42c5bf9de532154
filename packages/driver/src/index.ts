export * from './agent-host.js';
export * from './ports.js';
export * from './retry-policy.js';
export * from './failure.js';
export * from './sleep.js';
export * from './retrying.js';
export * from './effects.js';
/** Tool scheduling is pure, so it lives in the engine (workflow code may import it too). */
export { scheduleToolCalls } from '@lightspeed/engine';
export * from './session-setup.js';
export * from './command-checks.js';
export * from './session-log.js';
export * from './session-state-cache.js';
