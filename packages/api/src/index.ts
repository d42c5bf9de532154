export * from './schemas/index.js';
export * from './contract/artifacts.js';
export * from './rpc/error-codes.js';
