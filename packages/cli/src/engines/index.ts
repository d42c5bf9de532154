/**
 * The engines `--engine <name>` can pick. Adding one:
 *
 *   1. write `src/engines/<name>.ts` exporting an `EngineModule` (see engine-module.ts):
 *      `{ name, description, startHost(options) → { host: AgentHost, close() } }`.
 *      `options` carries the opened storage, the LLM port, the tool factory, the data dir and env;
 *      throw a `CliError` with a hint when the engine's server is unavailable (one line, no stack).
 *   2. add one line to ENGINES below: `{ name, load: async () => (await import('./<name>.js')).<export> }`.
 *
 * Modules load on demand, so a command pays for an engine's SDK (Temporal's is heavy) only when it
 * runs on that engine. Everything else (gateway, chat, sessions, vfs commands) works on any engine.
 */
import { usageError } from '../cli-error.js';
import { embeddedEngine } from './embedded.js';
import type { EngineModule } from './engine-module.js';

export type { EngineHostOptions, EngineModule, RunningHost } from './engine-module.js';

interface EngineEntry {
  name: string;
  load(): Promise<EngineModule>;
}

const ENGINES: readonly EngineEntry[] = [
  { name: 'embedded', load: async () => embeddedEngine },
  { name: 'temporal', load: async () => (await import('./temporal.js')).temporalEngine },
  { name: 'restate', load: async () => (await import('./restate.js')).restateEngine },
];

export function engineNames(): string[] {
  return ENGINES.map((engine) => engine.name);
}

export async function findEngine(name: string): Promise<EngineModule> {
  const entry = ENGINES.find((candidate) => candidate.name === name);
  if (!entry) throw usageError(`unknown engine "${name}"`, `available engines: ${engineNames().join(', ')}`);
  return entry.load();
}
