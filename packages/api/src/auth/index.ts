export * from './api-key-registry.js';
export * from './json-file-api-key-registry.js';
export * from './gateway-auth.js';
