import { randomUUID } from 'node:crypto';
import type { BlobRef } from '@lightspeed/engine';
import { BlobCorruptError, isLightspeedError, type BlobStore, type WorkspaceRecord, type WorkspaceStore } from '@lightspeed/ports';
import { commitChanges, emptySnapshot, joinSegments, NodeStore, pathSegments, summarize, Workspaces, type TreeChange } from '@lightspeed/vfs';
import { invalidRequest, notFound } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { VfsManifest, VfsManifestFile, VfsWorkspaceView } from '../schemas/vfs.js';
import { requireBlobRef } from './blob-refs.js';

const EXECUTABLE = 0o755;

export interface VfsMethodDeps {
  blobsOf: (universe: string) => BlobStore;
  workspacesOf: (universe: string) => WorkspaceStore;
}

/**
 * Loads a client-named snapshot root. A blob that is not a directory node is the client's mistake
 * (invalid_request); a blob failing its hash check stays a server fault.
 */
async function requireSnapshotRoot(nodes: NodeStore, ref: BlobRef, field: string): Promise<void> {
  try {
    await nodes.get(ref);
  } catch (error) {
    if (isLightspeedError(error, 'not_found')) throw notFound(`${field} ${ref} is not a stored snapshot; commit one with vfs/snapshots/commit`);
    if (isLightspeedError(error, 'corrupt') && !(error instanceof BlobCorruptError)) throw invalidRequest(`${field} ${ref} is a blob but not a snapshot`);
    throw error;
  }
}

/** Snapshot file list in manifest order (paths relative to the root, sorted). */
async function manifestOf(nodes: NodeStore, root: BlobRef): Promise<VfsManifest> {
  const files: VfsManifestFile[] = [];
  const visit = async (ref: BlobRef, segments: string[]): Promise<void> => {
    const node = await nodes.get(ref);
    for (const name of Object.keys(node.entries).sort()) {
      const entry = node.entries[name]!;
      if (entry.type === 'dir') await visit(entry.ref, [...segments, name]);
      else {
        const file: VfsManifestFile = { path: [...segments, name].join('/'), blobRef: entry.ref, bytes: entry.size };
        if (entry.mode !== undefined && (entry.mode & 0o111) !== 0) file.executable = true;
        files.push(file);
      }
    }
  };
  await visit(root, []);
  return { version: 1, files };
}

/** vfs/snapshots/* and vfs/workspaces/* over packages/vfs and the universe's WorkspaceStore. */
export function vfsMethods(deps: VfsMethodDeps): MethodHandlers {
  const nodesOf = (universe: string) => new NodeStore(deps.blobsOf(universe), 10_000);

  const view = async (nodes: NodeStore, record: WorkspaceRecord): Promise<VfsWorkspaceView> => {
    const { files, bytes } = await summarize(nodes, record.headRef);
    return {
      workspaceId: record.id,
      // The WorkspaceStore port does not keep display names yet; see docs/0010-api-gateway.md.
      displayName: null,
      headSnapshotRef: record.headRef,
      files,
      bytes,
      revision: record.revision,
      createdAtMs: record.createdAt,
      updatedAtMs: record.updatedAt,
    };
  };

  const existing = async (store: WorkspaceStore, workspaceId: string): Promise<WorkspaceRecord> => {
    const record = await store.get(workspaceId);
    if (!record) throw notFound(`workspace ${workspaceId} does not exist; list workspaces with vfs/workspaces/list`);
    return record;
  };

  return {
    'vfs/snapshots/commit': async ({ manifest }, { universe }) => {
      const blobs = deps.blobsOf(universe);
      const nodes = new NodeStore(blobs, 10_000);
      const seen = new Set<string>();
      const changes: TreeChange[] = [];
      let bytes = 0;
      for (const [index, file] of manifest.files.entries()) {
        let path: string;
        try {
          path = joinSegments(pathSegments(file.path));
        } catch (error) {
          throw invalidRequest(`manifest.files[${index}].path: ${(error as Error).message}`);
        }
        if (path === '/') throw invalidRequest(`manifest.files[${index}].path names the root directory`);
        if (seen.has(path)) throw invalidRequest(`manifest.files[${index}].path ${path} appears twice`);
        seen.add(path);
        const ref = requireBlobRef(file.blobRef, `manifest.files[${index}].blobRef`);
        const stat = await blobs.stat(ref);
        if (!stat) throw notFound(`manifest.files[${index}]: blob ${ref} is not stored; upload file bodies with blobs/put before committing`);
        if (file.bytes !== undefined && file.bytes !== stat.size) {
          throw invalidRequest(`manifest.files[${index}].bytes is ${file.bytes} but blob ${ref} holds ${stat.size} bytes`);
        }
        bytes += stat.size;
        changes.push({ op: 'writeRef', path, ref, size: stat.size, ...(file.executable ? { mode: EXECUTABLE } : {}) });
      }
      const snapshotRef = await commitChanges(nodes, await emptySnapshot(nodes), changes);
      return { result: { snapshotRef, files: changes.length, bytes } };
    },

    'vfs/snapshots/read': async ({ snapshotRef }, { universe }) => {
      const ref = requireBlobRef(snapshotRef, 'snapshotRef');
      const nodes = nodesOf(universe);
      await requireSnapshotRoot(nodes, ref, 'snapshotRef');
      const manifest = await manifestOf(nodes, ref);
      const bytes = manifest.files.reduce((sum, file) => sum + (file.bytes ?? 0), 0);
      return { result: { snapshotRef: ref, manifest, files: manifest.files.length, bytes } };
    },

    'vfs/workspaces/create': async ({ workspaceId, snapshotRef }, { universe }) => {
      const nodes = nodesOf(universe);
      const workspaces = new Workspaces(deps.workspacesOf(universe), nodes);
      const base = snapshotRef == null ? undefined : requireBlobRef(snapshotRef, 'snapshotRef');
      if (base) await requireSnapshotRoot(nodes, base, 'snapshotRef');
      const record = await workspaces.create(workspaceId ?? `ws_${randomUUID()}`, base);
      return { result: { workspace: await view(nodes, record) } };
    },

    'vfs/workspaces/read': async ({ workspaceId }, { universe }) => {
      const record = await existing(deps.workspacesOf(universe), workspaceId);
      return { result: { workspace: await view(nodesOf(universe), record) } };
    },

    'vfs/workspaces/list': async (_params, { universe }) => {
      const store = deps.workspacesOf(universe);
      const nodes = nodesOf(universe);
      const records: WorkspaceRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        records.push(...page.workspaces);
        cursor = page.nextCursor;
      } while (cursor);
      return { result: { workspaces: await Promise.all(records.map((record) => view(nodes, record))) } };
    },

    'vfs/workspaces/update': async ({ workspaceId, snapshotRef, expectedRevision }, { universe }) => {
      const store = deps.workspacesOf(universe);
      const nodes = nodesOf(universe);
      const ref = requireBlobRef(snapshotRef, 'snapshotRef');
      const current = await existing(store, workspaceId);
      // The new head must be a stored snapshot root before it becomes reachable.
      await requireSnapshotRoot(nodes, ref, 'snapshotRef');
      const record = await store.update(workspaceId, expectedRevision ?? current.revision, ref);
      return { result: { workspace: await view(nodes, record) } };
    },

    'vfs/workspaces/delete': async ({ workspaceId }, { universe }) => {
      const store = deps.workspacesOf(universe);
      const record = await existing(store, workspaceId);
      const workspace = await view(nodesOf(universe), record);
      await store.delete(workspaceId);
      return { result: { workspace } };
    },
  };
}
