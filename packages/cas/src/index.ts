export * from './memory-blob-store.js';
export * from './text.js';
