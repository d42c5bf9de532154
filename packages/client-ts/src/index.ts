export { LightspeedClient, type LightspeedClientOptions } from './client.js';
export type { CallOptions } from './call-options.js';
export { DEFAULT_TIMEOUT_MS } from './transport.js';
export { isTerminal, type AwaitRunOptions } from './await-run.js';
export type { FollowOptions, LiveDelta, SessionFollower, SessionStream, StreamMessage, StreamOptions } from './session-stream.js';
export * from './errors.js';
export { ERROR_CATALOG, METHOD_NAMES, PROTOCOL_VERSION, type ErrorCode, type MethodName, type MethodOutcome, type MethodParams, type MethodResult, type MethodTable } from './generated/methods.js';
export type * from './generated/wire-types.js';
export { parseSse, type SseFrame } from './sse-parser.js';
