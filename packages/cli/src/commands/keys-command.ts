import { JsonFileApiKeyRegistry, type ApiKeyRecord } from '@lightspeed/api';
import { LightspeedError } from '@lightspeed/ports';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { resolveDataDir } from '../runtime/data-dir.js';
import { defaultApiKeysFile } from './serve-command.js';
import type { CommandContext } from './command-context.js';

interface KeyFileFlags {
  apiKeys?: string;
  dataDir?: string;
}

function withKeyFileOptions(command: Command): Command {
  return command
    .option('--api-keys <file>', 'key file (env LIGHTSPEED_API_KEYS_FILE, default <data-dir>/api-keys.json)')
    .option('--data-dir <dir>', 'data directory (env LIGHTSPEED_HOME, default ~/.lightspeed)');
}

/** The same file `serve` reads: the flag, else LIGHTSPEED_API_KEYS_FILE, else beside the data. */
function keyFile(flags: KeyFileFlags, ctx: CommandContext): string {
  return flags.apiKeys ?? ctx.io.env.LIGHTSPEED_API_KEYS_FILE ?? defaultApiKeysFile(resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd));
}

/**
 * The key a `revoke` argument names: its id, its printed prefix `lsk_<id>`, the whole key, or an
 * unambiguous start of the id (4 characters at least).
 */
export function findKey(records: readonly ApiKeyRecord[], reference: string, file: string): ApiKeyRecord {
  const id = /^lsk_([^_]+)/.exec(reference)?.[1] ?? reference;
  const exact = records.find((record) => record.keyId === id);
  if (exact) return exact;
  const matches = id.length >= 4 ? records.filter((record) => record.keyId.startsWith(id)) : [];
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw usageError(`"${reference}" matches ${matches.length} keys (${matches.map((record) => record.keyId).join(', ')})`, 'give more of the key id');
  throw new LightspeedError('not_found', `no API key "${reference}" in ${file}; \`lightspeed keys list\` shows the key ids`, { reference });
}

function describeKey(record: ApiKeyRecord): string {
  const state = record.revokedAt === undefined ? 'active' : `revoked ${new Date(record.revokedAt).toISOString()}`;
  return [record.keyId, `lsk_${record.keyId}_…`, record.universe, record.name ?? '-', new Date(record.createdAt).toISOString(), state].join('\t');
}

export function registerKeys(program: Command, ctx: CommandContext): void {
  const keys = program.command('keys').description('API keys for `serve --api-keys` (stored hashed; a running server sees changes at its next request)');
  withKeyFileOptions(
    keys
      .command('create')
      .description('mint a key for a universe and print it once')
      .requiredOption('--universe <name>', 'the universe (tenant) the key acts in')
      .option('--name <label>', 'a label for `keys list` (who or what uses the key)'),
  ).action(async (flags: KeyFileFlags & { universe: string; name?: string }) => {
    const file = keyFile(flags, ctx);
    const registry = await JsonFileApiKeyRegistry.open(file);
    const created = await registry.createApiKey(flags.universe, flags.name !== undefined ? { name: flags.name } : {});
    ctx.io.stderr.write(`key ${created.record.keyId} for universe ${flags.universe} saved (hashed) in ${file}; it is shown only now:\n`);
    ctx.io.stdout.write(`${created.key}\n`);
  });
  withKeyFileOptions(
    keys
      .command('list')
      .description('list keys: id, prefix, universe, name, created, state (never the secret or its hash)')
      .option('--universe <name>', 'only the keys of this universe'),
  ).action(async (flags: KeyFileFlags & { universe?: string }) => {
    const file = keyFile(flags, ctx);
    const records = await (await JsonFileApiKeyRegistry.open(file)).list(flags.universe);
    if (records.length === 0) {
      ctx.io.stderr.write(`no API keys in ${file}; create one with \`lightspeed keys create --universe <name>\`\n`);
      return;
    }
    ctx.io.stdout.write(`${['id', 'prefix', 'universe', 'name', 'created', 'state'].join('\t')}\n`);
    for (const record of records.sort((a, b) => a.createdAt - b.createdAt)) ctx.io.stdout.write(`${describeKey(record)}\n`);
  });
  withKeyFileOptions(
    keys
      .command('revoke')
      .description('revoke a key: from the next request on, a running server answers it with 401')
      .argument('<key>', 'the key id (or its lsk_<id> prefix, or an unambiguous start of the id)'),
  ).action(async (reference: string, flags: KeyFileFlags) => {
    const file = keyFile(flags, ctx);
    const registry = await JsonFileApiKeyRegistry.open(file);
    const record = findKey(await registry.list(), reference, file);
    if (record.revokedAt !== undefined) {
      ctx.io.stderr.write(`key ${record.keyId} was already revoked (${new Date(record.revokedAt).toISOString()})\n`);
      return;
    }
    await registry.revoke(record.keyId);
    ctx.io.stderr.write(`key ${record.keyId} (universe ${record.universe}) revoked in ${file}\n`);
  });
}
