import type { DelegateConfig } from './delegate-config.js';
import type { StepParser } from './delegate-steps.js';

/** What an adapter needs to start its CLI on one task. */
export interface AgentCliLaunch {
  config: DelegateConfig;
  task: string;
  /** The environment's working directory (the materialised workspace). */
  workdir: string;
  /** A private directory for the CLI's own home/config/state; removed after the run. */
  stateDir: string;
  /** The provider base URL the CLI is pointed at (already rewritten to the bridge when confined). */
  providerBaseUrl: string;
  /** Credential values by env var name (only the names the config lists). */
  credentials: Record<string, string>;
  /** Whether the CLI's network is confined to its provider by us. */
  confined: boolean;
}

export interface AgentCliCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** One coding-agent CLI: how to start it, and how to read its streamed output. */
export interface AgentCliAdapter {
  name: DelegateConfig['cli'];
  prepare(launch: AgentCliLaunch): Promise<AgentCliCommand>;
  createParser(): StepParser;
}

/** Env every delegated CLI gets: no proxy to leak through, a fixed locale, the machine's PATH. */
export function baseEnv(stateDir: string, extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: stateDir,
    LANG: 'C.UTF-8',
    // Anything that ignores our base URL and tries a proxy finds none that answers.
    HTTPS_PROXY: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    ALL_PROXY: 'http://127.0.0.1:9',
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  };
}
