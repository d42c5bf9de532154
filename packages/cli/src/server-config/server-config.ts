import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatProblem, parseYamlFile, problemAt, zodProblems, type FileProblem } from '@lightspeed/agents';
import { ProviderRegistry, type PriceOverrides, type ProviderOverride } from '@lightspeed/llm';
import type { EmbedderConfig } from '@lightspeed/memory';
import { LightspeedError, type McpServerDocument } from '@lightspeed/ports';
import { ServerConfigSchema } from './server-config-schema.js';

/** Where `serve`, `chat` and `config validate` look for the file when neither --config nor LIGHTSPEED_CONFIG names one. */
export const DEFAULT_CONFIG_PATH = join('.lightspeed', 'server.yaml');

const UNKNOWN_FIELD = 'unknown field; see docs/server-config.md for the fields a server config file may have';

/** A validated server config file, in the shapes the stack consumes. */
export interface ServerConfig {
  file: string;
  /** Over the built-ins and providers.json, in file order. */
  providers: ProviderOverride[];
  /** Read-only MCP servers of every universe (docs/server-config.md, "MCP servers"). */
  mcpServers: McpServerDocument[];
  allowHostTools: boolean;
  priceOverrides: PriceOverrides;
  defaultModel?: { provider: string; model?: string };
  /** `memory.embedder`: the vector path's model (absent: search is lexical + entity, or the fake with `--provider fake`). */
  memoryEmbedder?: EmbedderConfig;
  /** A problem located at a field of the file (for checks made after loading, e.g. provider ids). */
  problemAt(path: readonly PropertyKey[], message: string): FileProblem;
}

/** The file does not validate: every problem, each with its line and field. */
export class ServerConfigError extends LightspeedError {
  constructor(readonly problems: readonly FileProblem[]) {
    super('invalid', problems.map(formatProblem).join('\n'), { problems: problems.map((p) => ({ ...p })) });
    this.name = 'ServerConfigError';
  }
}

/** Parses and validates the text of a server config file; throws a `ServerConfigError` listing every problem. */
export function parseServerConfig(text: string, file: string): ServerConfig {
  const parsed = parseYamlFile(text, file);
  if ('problems' in parsed) throw new ServerConfigError(parsed.problems);
  const { place } = parsed;
  // An empty file is an empty config: everything comes from flags and the environment, as without one.
  const result = ServerConfigSchema.safeParse(parsed.value ?? {});
  if (!result.success) throw new ServerConfigError(zodProblems(file, place, result.error, UNKNOWN_FIELD));
  const data = result.data;
  const problems: FileProblem[] = [];
  const providers = Object.entries(data.providers ?? {}).map(([id, entry]) => ({ ...entry, id }));
  if (data.defaultModel && data.providers?.[data.defaultModel.provider]?.enabled === false) {
    problems.push(problemAt(file, place, ['defaultModel', 'provider'], `provider "${data.defaultModel.provider}" is disabled in this file (providers.${data.defaultModel.provider}.enabled: false)`));
  }
  if (problems.length > 0) throw new ServerConfigError(problems);
  return {
    file,
    providers,
    mcpServers: data.mcpServers ?? [],
    allowHostTools: data.allowHostTools ?? false,
    priceOverrides: data.prices ?? {},
    ...(data.defaultModel ? { defaultModel: data.defaultModel } : {}),
    ...(data.memory?.embedder ? { memoryEmbedder: data.memory.embedder } : {}),
    problemAt: (path, message) => problemAt(file, place, path, message),
  };
}

export async function loadServerConfig(file: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ServerConfigError([{ file, message: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  return parseServerConfig(text, file);
}

/**
 * Which file configures this server: `--config FILE`, else LIGHTSPEED_CONFIG, else
 * `<project>/.lightspeed/server.yaml` when it exists. A file named explicitly must exist.
 */
export async function findServerConfig(options: { flag?: string | undefined; env: NodeJS.ProcessEnv; cwd: string; projectDir?: string | undefined }): Promise<string | undefined> {
  const named = options.flag ?? (options.env.LIGHTSPEED_CONFIG || undefined);
  if (named !== undefined) return resolve(options.cwd, named);
  const fallback = resolve(options.cwd, options.projectDir ?? '.', DEFAULT_CONFIG_PATH);
  try {
    await access(fallback);
    return fallback;
  } catch {
    return undefined;
  }
}

/** The config in effect, or undefined when there is no file (flags and the environment alone, as before). */
export async function resolveServerConfig(options: Parameters<typeof findServerConfig>[0]): Promise<ServerConfig | undefined> {
  const file = await findServerConfig(options);
  return file === undefined ? undefined : loadServerConfig(file);
}

/**
 * The provider registry of a stack: the built-ins and providers.json from `env`, then the config
 * file's providers. A config entry the registry cannot place (a new id without `apiKind`) is a
 * located problem of the file, the same at `serve` start as in `config validate`.
 */
export async function providerRegistryFor(env: NodeJS.ProcessEnv, config: ServerConfig | undefined): Promise<ProviderRegistry> {
  try {
    return await ProviderRegistry.fromEnvironment(env, config?.providers);
  } catch (error) {
    const providerId = error instanceof LightspeedError ? error.details?.providerId : undefined;
    if (config && typeof providerId === 'string' && config.providers.some((entry) => entry.id === providerId)) {
      throw new ServerConfigError([config.problemAt(['providers', providerId], error instanceof Error ? error.message : String(error))]);
    }
    throw error;
  }
}

