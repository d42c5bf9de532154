export * from './canonical-json.js';
export * from './digest.js';
export * from './preview.js';
export * from './model.js';
export * from './context-entry.js';
export * from './tool.js';
export * from './generation.js';
