export * from './task-template.js';
export * from './task-agents.js';
export * from './run-outcome.js';
export * from './required-artifacts.js';
export * from './attempt-runner.js';
export * from './dispatcher.js';
export * from './dispatch-status.js';
