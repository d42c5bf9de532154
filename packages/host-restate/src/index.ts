import './polyfills.js';

export * from './polyfills.js';
export * from './protocol.js';
export * from './session-key.js';
export * from './stores.js';
export * from './effect-registry.js';
export * from './service-runtime.js';
export * from './session-object.js';
export * from './effects-service.js';
export * from './endpoint.js';
export * from './restate-host.js';
export * from './settings.js';
export * from './start-restate-host.js';
