export * from './free-port.js';
export * from './postgres-binaries.js';
export * from './server-user.js';
export * from './postgres.js';
export * from './s3.js';
export * from './temporal.js';
export * from './restate.js';
export * from './killable-process.js';
