export * from './fire-times.js';
export * from './fire-plan.js';
export * from './task-template.js';
export * from './schedule-definition.js';
export * from './schedule-firing.js';
export * from './schedule-service.js';
export * from './scheduler.js';
