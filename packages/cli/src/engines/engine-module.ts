import type { AgentHost, ToolPortFactory } from '@lightspeed/driver';
import type { LlmPort } from '@lightspeed/ports';
import type { CliStorage } from '../runtime/cli-storage.js';

/** Everything the CLI has assembled before it asks an engine for a host. */
export interface EngineHostOptions {
  storage: CliStorage;
  llm: LlmPort;
  /** Tool runtime per session (reads session facts from the host it is given to). */
  tools: ToolPortFactory;
  /** Resolved data directory (`:memory:` for none). */
  dataDir: string;
  env: NodeJS.ProcessEnv;
}

export interface RunningHost {
  host: AgentHost;
  /** Stops the host and whatever it started (workers, connections); not the storage. */
  close(): Promise<void>;
}

/** One durable execution engine the CLI can run sessions on. */
export interface EngineModule {
  name: string;
  description: string;
  startHost(options: EngineHostOptions): Promise<RunningHost>;
}
