import { JsonFileApiKeyRegistry } from '@lightspeed/api';
import type { Command } from 'commander';
import { resolveDataDir } from '../runtime/data-dir.js';
import { defaultApiKeysFile } from './serve-command.js';
import type { CommandContext } from './command-context.js';

export function registerKeys(program: Command, ctx: CommandContext): void {
  const keys = program.command('keys').description('API keys for `serve --api-keys` (stored hashed)');
  keys
    .command('create')
    .description('mint a key for a universe and print it once')
    .requiredOption('--universe <name>', 'the universe (tenant) the key acts in')
    .option('--api-keys <file>', 'key file (default <data-dir>/api-keys.json)')
    .option('--data-dir <dir>', 'data directory (env LIGHTSPEED_HOME, default ~/.lightspeed)')
    .action(async (flags: { universe: string; apiKeys?: string; dataDir?: string }) => {
      const file = flags.apiKeys ?? defaultApiKeysFile(resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd));
      const registry = await JsonFileApiKeyRegistry.open(file);
      const created = await registry.createApiKey(flags.universe);
      ctx.io.stderr.write(`key ${created.record.keyId} for universe ${flags.universe} saved (hashed) in ${file}; it is shown only now:\n`);
      ctx.io.stdout.write(`${created.key}\n`);
    });
}
