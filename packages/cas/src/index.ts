export * from './memory-blob-store.js';
export * from './text.js';
export * from './fs-blob-store.js';
export * from './disk-full.js';
