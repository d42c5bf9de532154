import { formatProblem } from '@lightspeed/agents';
import { CliError, EXIT } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { findServerConfig, loadServerConfig, ServerConfigError, type ServerConfig } from './server-config.js';

const CONFIG_HINT = 'fix the fields named above; `lightspeed config validate` checks the file offline (docs/server-config.md lists the fields)';

/** A config file that does not validate, as the CLI reports it: every problem, then what to do. */
export function serverConfigError(error: ServerConfigError): CliError {
  return new CliError(`invalid server config:\n  ${error.problems.map(formatProblem).join('\n  ')}`, EXIT.usage, CONFIG_HINT);
}

/**
 * The server config in effect for a command (undefined without a file), validated before anything
 * starts: a bad file stops the command with every problem and its line.
 */
export async function commandServerConfig(flags: { config?: string | undefined; project?: string | undefined }, io: CliIo): Promise<ServerConfig | undefined> {
  const file = await findServerConfig({ flag: flags.config, env: io.env, cwd: io.cwd, projectDir: flags.project });
  if (file === undefined) return undefined;
  try {
    return await loadServerConfig(file);
  } catch (error) {
    if (error instanceof ServerConfigError) throw serverConfigError(error);
    throw error;
  }
}
