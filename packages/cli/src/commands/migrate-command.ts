import { join } from 'node:path';
import { acquireDataDirLock, migrateBackend, type StorageBackend } from '@lightspeed/store-sql';
import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { MEMORY_DATA_DIR, resolveDataDir } from '../runtime/data-dir.js';
import type { CommandContext } from './command-context.js';

export function registerMigrate(program: Command, ctx: CommandContext): void {
  program
    .command('migrate')
    .description('apply database migrations (PostgreSQL: an explicit deployment step; PGlite migrates on open anyway)')
    .option('--postgres-url <url>', 'PostgreSQL connection URL (env LIGHTSPEED_POSTGRES_URL)')
    .option('--data-dir <dir>', 'PGlite data directory when no PostgreSQL URL is given')
    .action(async (flags: { postgresUrl?: string; dataDir?: string }) => {
      const url = flags.postgresUrl ?? ctx.io.env.LIGHTSPEED_POSTGRES_URL;
      let backend: StorageBackend;
      let release = () => {};
      if (url) backend = { kind: 'postgres', url };
      else {
        const dataDir = resolveDataDir(flags.dataDir, ctx.io.env, ctx.io.cwd);
        if (dataDir === MEMORY_DATA_DIR) throw usageError('nothing to migrate in :memory:');
        const lock = acquireDataDirLock(dataDir);
        release = () => lock.release();
        backend = { kind: 'pglite', dataDir: join(dataDir, 'pglite') };
      }
      try {
        const report = await migrateBackend(backend);
        const where = url ? 'postgresql' : `pglite ${backend.kind === 'pglite' ? backend.dataDir : ''}`;
        if (report.applied.length === 0) ctx.io.stdout.write(`${where}: schema is current (version ${report.version})\n`);
        for (const migration of report.applied) ctx.io.stdout.write(`${where}: applied ${migration.version} ${migration.name}\n`);
      } finally {
        release();
      }
    });
}
