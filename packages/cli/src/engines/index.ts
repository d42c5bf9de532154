/**
 * The engines `--engine <name>` can pick. Adding one:
 *
 *   1. write `src/engines/<name>.ts` exporting an `EngineModule` (see engine-module.ts):
 *      `{ name, description, startHost(options) → { host: AgentHost, close() } }`.
 *      `options` carries the opened storage, the LLM port, the tool factory, the data dir and env;
 *      throw a `CliError` with a hint when the engine's server is unavailable (one line, no stack).
 *   2. add one line to ENGINES below.
 *
 * Everything else (gateway, chat, sessions, vfs commands) works on any registered engine.
 */
import { usageError } from '../cli-error.js';
import { embeddedEngine } from './embedded.js';
import { restateEngine } from './restate.js';
import { temporalEngine } from './temporal.js';
import type { EngineModule } from './engine-module.js';

export type { EngineHostOptions, EngineModule, RunningHost } from './engine-module.js';

const ENGINES: readonly EngineModule[] = [
  embeddedEngine,
  temporalEngine,
  restateEngine,
];

/** Engine names that are recognised but not built into this CLI yet. */
const PLANNED: string[] = [];

export function engineNames(): string[] {
  return ENGINES.map((engine) => engine.name);
}

export function findEngine(name: string): EngineModule {
  const engine = ENGINES.find((candidate) => candidate.name === name);
  if (engine) return engine;
  if (PLANNED.includes(name)) throw usageError(`engine "${name}" is not available in this build`, `available engines: ${engineNames().join(', ')}`);
  throw usageError(`unknown engine "${name}"`, `available engines: ${engineNames().join(', ')}`);
}
