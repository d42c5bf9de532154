import { resolve } from 'node:path';
import { importDirectory, exportSnapshot, type ExportResult } from '@lightspeed/vfs';
import type { BlobRef } from '@lightspeed/engine';
import type { RpcClient } from '../client/rpc-client.js';
import { CliError } from '../cli-error.js';
import type { CliIo } from '../cli-io.js';
import { formatBytes, ProgressBar } from '../terminal/progress-bar.js';
import { MAX_UPLOAD_BLOB_BYTES, RpcBlobStore } from './rpc-blob-store.js';

export interface SnapshotResult {
  snapshotRef: string;
  files: number;
  bytes: number;
  uploaded: number;
  skipped: string[];
}

/** Uploads a local directory (honouring .gitignore, only missing blobs) as a snapshot, with a progress bar. */
export async function snapshotDirectory(client: RpcClient, dir: string, io: CliIo): Promise<SnapshotResult> {
  const root = resolve(io.cwd, dir);
  const bar = new ProgressBar(io.stderr, `snapshot ${dir}`);
  try {
    const result = await importDirectory(new RpcBlobStore(client), root, {
      concurrency: 8,
      maxFileBytes: MAX_UPLOAD_BLOB_BYTES,
      onProgress: (progress) => {
        if (progress.phase !== 'scan') bar.update(progress.filesDone, progress.filesTotal, formatBytes(progress.bytesDone));
      },
    });
    return { snapshotRef: result.rootRef, files: result.files, bytes: result.bytes, uploaded: result.uploaded, skipped: result.skipped };
  } catch (error) {
    if ((error as { code?: string }).code === 'not_found') throw new CliError(`${dir} is not a directory`, 2);
    throw error;
  } finally {
    bar.finish();
  }
}

/**
 * Writes a snapshot into a local directory (only differing files). The server's read measures the
 * snapshot (and refuses one over its limits); the export checks every node again locally, since
 * the nodes it writes from are fetched as plain blobs.
 */
export async function materializeSnapshot(client: RpcClient, snapshotRef: string, dir: string, io: CliIo): Promise<ExportResult> {
  // Only the totals are needed here (for the progress bar), so one manifest entry is plenty.
  const { files } = await client.call<{ files: number }>('vfs/snapshots/read', { snapshotRef, format: 'flat', limit: 1 });
  const bar = new ProgressBar(io.stderr, `materialize ${dir}`);
  const blobs = new RpcBlobStore(client);
  let done = 0;
  // Count file bodies as they arrive; directory nodes are small and not shown.
  const counting = Object.assign(Object.create(blobs) as RpcBlobStore, {
    get: async (ref: BlobRef) => {
      const bytes = await blobs.get(ref);
      done += 1;
      bar.update(Math.min(done, files), files);
      return bytes;
    },
  });
  try {
    return await exportSnapshot(counting, snapshotRef as BlobRef, resolve(io.cwd, dir));
  } finally {
    bar.finish();
  }
}

/** A writable workspace from a local directory, for `chat --mount`. */
export async function workspaceFromDirectory(client: RpcClient, dir: string, io: CliIo): Promise<{ workspaceId: string; snapshot: SnapshotResult }> {
  const snapshot = await snapshotDirectory(client, dir, io);
  const { workspace } = await client.call<{ workspace: { workspaceId: string } }>('vfs/workspaces/create', { snapshotRef: snapshot.snapshotRef });
  return { workspaceId: workspace.workspaceId, snapshot };
}
