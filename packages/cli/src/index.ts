export { main, buildProgram, type MainOptions } from './main.js';
export { CliError, EXIT } from './cli-error.js';
export type { CliIo } from './cli-io.js';
export { RpcClient, RpcError } from './client/rpc-client.js';
export { startAgentStack, type AgentStack, type AgentStackOptions } from './runtime/agent-stack.js';
export { serveStack } from './runtime/local-gateway.js';
export { engineNames, findEngine, type EngineModule, type EngineHostOptions, type RunningHost } from './engines/index.js';
