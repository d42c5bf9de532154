export { createHarness, type Harness, type HarnessOptions, type StartSessionOptions, type ServeOptions } from './create-harness.js';
export { HarnessSession, type SendOptions, type SessionDelta, type SessionSubscriber, type Subscription } from './harness-session.js';
export { loadAgentSource, type AgentSource } from './agent-source.js';
// What an embedder needs besides zod, so one import is enough.
export { defineCustomTool, builtInToolNames, CustomToolError, type CustomTool, type CustomToolContext, type CustomToolOutput, type CustomToolSpec } from '@lightspeed/tools';
export { AgentDefinitionError, loadAgentFile, parseAgentFile, type AgentDefinition } from '@lightspeed/agents';
export type { TurnObserver, TurnResult, ToolTrace, UsageFigures } from '@lightspeed/cli';
export { RpcError } from '@lightspeed/cli';
