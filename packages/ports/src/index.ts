export * from './errors.js';
export * from './blob-store.js';
export * from './session-store.js';
export * from './workspace-store.js';
export * from './live-channel.js';
export * from './clock.js';
export * from './llm-port.js';
export * from './tool-port.js';
