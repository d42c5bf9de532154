import type { Command } from 'commander';
import { usageError } from '../cli-error.js';
import { formatBytes } from '../terminal/progress-bar.js';
import { materializeSnapshot, snapshotDirectory } from '../vfs/local-snapshot.js';
import { withConnection, withServerOptions, writeJson, type CommandContext } from './command-context.js';

type Flags = { json?: boolean; apiUrl?: string; apiKey?: string; dataDir?: string; engine?: string; id?: string; fromSnapshot?: string; fromDir?: string };

function workspaceLine(workspace: any): string {
  return `${workspace.workspaceId}\trev ${workspace.revision}\t${workspace.files} files\t${formatBytes(workspace.bytes)}\t${workspace.headSnapshotRef}`;
}

export function registerVfs(program: Command, ctx: CommandContext): void {
  const vfs = program.command('vfs').description('snapshots and workspaces of the virtual file system');
  withServerOptions(vfs.command('snapshot').description('upload a local directory (honours .gitignore) as a snapshot').argument('<dir>').option('--json', 'print the result as JSON')).action(
    async (dir: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await snapshotDirectory(client, dir, ctx.io);
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stderr.write(`${result.files} files, ${formatBytes(result.bytes)} (${result.uploaded} uploaded)${result.skipped.length ? `; skipped ${result.skipped.length} links/special files` : ''}\n`);
        ctx.io.stdout.write(`${result.snapshotRef}\n`);
      });
    },
  );
  withServerOptions(vfs.command('materialize').description('write a snapshot (or a workspace\'s head) into a local directory').argument('<ref>', 'snapshot ref (sha256:…) or workspace id').argument('<dir>')).action(
    async (ref: string, dir: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const snapshotRef = ref.startsWith('sha256:') ? ref : (await client.call<{ workspace: { headSnapshotRef: string } }>('vfs/workspaces/read', { workspaceId: ref })).workspace.headSnapshotRef;
        const result = await materializeSnapshot(client, snapshotRef, dir, ctx.io);
        ctx.io.stdout.write(`${result.written.length} files written, ${result.unchanged} unchanged in ${dir}\n`);
      });
    },
  );
  const workspace = vfs.command('workspace').description('named, mutable heads over snapshots');
  withServerOptions(
    workspace
      .command('create')
      .description('create a workspace (empty, from a snapshot, or from a local directory)')
      .option('--id <id>', 'workspace id (default: generated)')
      .option('--from-snapshot <ref>', 'start from this snapshot')
      .option('--from-dir <dir>', 'snapshot this local directory first')
      .option('--json', 'print the JSON-RPC result'),
  ).action(async (flags: Flags) => {
    if (flags.fromSnapshot && flags.fromDir) throw usageError('--from-snapshot and --from-dir exclude each other');
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const snapshotRef = flags.fromDir ? (await snapshotDirectory(client, flags.fromDir, ctx.io)).snapshotRef : flags.fromSnapshot;
      const result = await client.call('vfs/workspaces/create', { ...(flags.id ? { workspaceId: flags.id } : {}), ...(snapshotRef ? { snapshotRef } : {}) });
      if (flags.json) return writeJson(ctx, result);
      ctx.io.stdout.write(`${workspaceLine(result.workspace)}\n`);
    });
  });
  for (const [name, method, description] of [
    ['read', 'vfs/workspaces/read', 'show a workspace'],
    ['delete', 'vfs/workspaces/delete', 'delete a workspace (its snapshots stay until garbage collection)'],
  ] as const) {
    withServerOptions(workspace.command(name).description(description).argument('<workspaceId>').option('--json', 'print the JSON-RPC result')).action(async (workspaceId: string, flags: Flags) => {
      await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
        const result = await client.call(method, { workspaceId });
        if (flags.json) return writeJson(ctx, result);
        ctx.io.stdout.write(`${name === 'delete' ? 'deleted ' : ''}${workspaceLine(result.workspace)}\n`);
      });
    });
  }
  withServerOptions(workspace.command('list').description('list workspaces').option('--json', 'print the JSON-RPC result')).action(async (flags: Flags) => {
    await withConnection(flags, ctx, { requireModel: false }, async ({ client }) => {
      const result = await client.call<{ workspaces: any[] }>('vfs/workspaces/list', {});
      if (flags.json) return writeJson(ctx, result);
      if (result.workspaces.length === 0) ctx.io.stderr.write('no workspaces\n');
      for (const item of result.workspaces) ctx.io.stdout.write(`${workspaceLine(item)}\n`);
    });
  });
}
