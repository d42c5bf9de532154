import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { formatBytes, ProgressBar } from '../terminal/progress-bar.js';
import { RpcBlobStore } from '../vfs/rpc-blob-store.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';
import type { BlobRef } from '@lightspeed/engine';

type Flags = { json?: boolean; output?: string; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string };

export function registerBlobs(program: Command, ctx: CommandContext): void {
  const blobs = program.command('blobs').description('content-addressed blobs (CAS)');
  withServerOptions(blobs.command('put').description('store files and print their refs').argument('<files...>').option('--json', 'print the result as JSON')).action(async (files: string[], flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const store = new RpcBlobStore(client);
      const bar = new ProgressBar(ctx.io.stderr, 'upload');
      const results: { file: string; blobRef: string; bytes: number }[] = [];
      try {
        for (const [index, file] of files.entries()) {
          let bytes: Buffer;
          try {
            bytes = await readFile(resolve(ctx.io.cwd, file));
          } catch (error) {
            throw new CliError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
          }
          const stat = await store.put(new Uint8Array(bytes));
          results.push({ file, blobRef: stat.ref, bytes: stat.size });
          bar.update(index + 1, files.length, formatBytes(results.reduce((sum, r) => sum + r.bytes, 0)));
        }
      } finally {
        bar.finish();
      }
      if (flags.json) return writeJson(ctx, { blobs: results });
      for (const result of results) ctx.io.stdout.write(files.length === 1 ? `${result.blobRef}\n` : `${result.blobRef}\t${result.bytes}\t${result.file}\n`);
    });
  });
  withServerOptions(blobs.command('read').description('write a blob\'s bytes to stdout or a file').argument('<ref>').option('-o, --output <file>', 'write to this file instead of stdout')).action(
    async (ref: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const bytes = await new RpcBlobStore(client).get(ref as BlobRef);
        if (bytes === undefined) throw new CliError(`blob ${ref} does not exist`, 1, 'store one with `lightspeed blobs put FILE`');
        if (flags.output) await writeFile(resolve(ctx.io.cwd, flags.output), bytes);
        else await new Promise<void>((done, fail) => ctx.io.stdout.write(bytes, (error) => (error ? fail(error) : done())));
      });
    },
  );
}
