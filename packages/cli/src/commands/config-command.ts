import { formatProblem } from '@lightspeed/agents';
import type { Command } from 'commander';
import { CliError, EXIT } from '../cli-error.js';
import { MEMORY_DATA_DIR, resolveDataDir } from '../runtime/data-dir.js';
import { DEFAULT_CONFIG_PATH, findServerConfig, loadServerConfig, providerRegistryFor, ServerConfigError, type ServerConfig } from '../server-config/server-config.js';
import type { CommandContext } from './command-context.js';

interface ConfigFlags {
  config?: string;
  project?: string;
  dataDir?: string;
}

/** One line per section of a valid config: what the server will do with it (names only, never secrets). */
export function describeServerConfig(config: ServerConfig): string[] {
  const lines: string[] = [];
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (config.defaultModel) lines.push(`default model: ${config.defaultModel.provider}${config.defaultModel.model ? `/${config.defaultModel.model}` : ''}`);
  for (const provider of config.providers) {
    if (provider.enabled === false) {
      lines.push(`provider ${provider.id}: disabled`);
      continue;
    }
    const parts = [provider.baseUrl ? `base URL ${provider.baseUrl}` : undefined, provider.apiKeyEnv ? `key from $${provider.apiKeyEnv}` : undefined, provider.models ? plural(provider.models.length, 'model') : undefined];
    lines.push(`provider ${provider.id}: ${parts.filter(Boolean).join(', ') || 'enabled'}`);
  }
  for (const server of config.mcpServers) {
    const where = server.stdio ? `stdio ${server.stdio.command}` : `${server.transport} ${server.serverUrl}`;
    const credentials = [server.bearerTokenEnvVar, ...Object.values(server.headersFromEnv ?? {}), ...Object.values(server.stdio?.envFromEnv ?? {})].filter(Boolean).map((name) => `$${name}`);
    lines.push(`MCP server ${server.serverId}: ${where}${credentials.length > 0 ? ` (credentials from ${credentials.join(', ')})` : ''}`);
  }
  lines.push(`host tools: ${config.allowHostTools ? 'allowed (single-user servers only)' : 'not allowed'}`);
  const prices = Object.keys(config.priceOverrides);
  if (prices.length > 0) lines.push(`price overrides: ${prices.join(', ')}`);
  const embedder = config.memoryEmbedder;
  if (embedder) {
    const detail = embedder.kind === 'openai-compatible' ? `${embedder.model} at ${embedder.baseUrl}${embedder.apiKeyEnv ? ` (key from $${embedder.apiKeyEnv})` : ''}` : embedder.kind === 'local' ? `all-MiniLM-L6-v2${embedder.cacheDir ? ` in ${embedder.cacheDir}` : ''}` : `${embedder.dimensions ?? 64} dimensions`;
    lines.push(`memory embedder: ${embedder.kind}, ${detail}`);
  }
  return lines;
}

export function registerConfig(program: Command, ctx: CommandContext): void {
  const config = program.command('config').description(`the server config file (${DEFAULT_CONFIG_PATH}): providers, MCP servers, host tools, prices`);
  config
    .command('validate')
    .description('check the server config file offline: OK with a summary, or every problem with its line and field')
    .option('--config <file>', `the file to check (env LIGHTSPEED_CONFIG; default ${DEFAULT_CONFIG_PATH} of the project)`)
    .option('--project <dir>', `project directory whose ${DEFAULT_CONFIG_PATH} is checked (default: the current directory)`)
    .option('--data-dir <dir>', 'data directory whose providers.json the file is checked against (env LIGHTSPEED_HOME, default ~/.lightspeed)')
    .addHelpText('after', '\nExit code 0 when the file is valid, 1 when it has problems (each printed as file:line:column: field: message).')
    .action(async (flags: ConfigFlags) => {
    const file = await findServerConfig({ flag: flags.config, env: ctx.io.env, cwd: ctx.io.cwd, projectDir: flags.project });
    if (file === undefined) throw new CliError(`no server config file: ${DEFAULT_CONFIG_PATH} does not exist here`, EXIT.failed, 'pass --config FILE (or set LIGHTSPEED_CONFIG); docs/server-config.md has an example');
    try {
      const loaded = await loadServerConfig(file);
      // The providers as serve would build them: catches a new provider without an apiKind.
      const dataDir = resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd);
      await providerRegistryFor(dataDir === MEMORY_DATA_DIR ? ctx.io.env : { ...ctx.io.env, LIGHTSPEED_HOME: dataDir }, loaded);
      ctx.io.stdout.write(`OK ${file}\n${describeServerConfig(loaded).map((line) => `  ${line}\n`).join('')}`);
    } catch (error) {
      if (!(error instanceof ServerConfigError)) throw error;
      for (const problem of error.problems) ctx.io.stderr.write(`${formatProblem(problem)}\n`);
      ctx.io.stderr.write(`${file}: ${error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`}\n`);
      ctx.exitCode = EXIT.failed;
    }
  });
}
