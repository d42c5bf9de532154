import { randomUUID } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BlobRef } from '@lightspeed/engine';
import { BlobCorruptError, isLightspeedError, type BlobStore, type WorkspaceRecord, type WorkspaceStore } from '@lightspeed/ports';
import {
  commitChanges,
  DEFAULT_SNAPSHOT_LIMITS,
  emptySnapshot,
  EXECUTABLE_FILE_MODE,
  joinSegments,
  NodeStore,
  pathSegments,
  SnapshotLimitError,
  SnapshotMeter,
  SnapshotTotalsCache,
  TreeNodeError,
  walk,
  Workspaces,
  type SnapshotLimits,
  type SnapshotTotals,
  type TreeChange,
} from '@lightspeed/vfs';
import { invalidRequest, notFound, rejected } from '../rpc/api-error.js';
import type { MethodHandlers } from '../rpc/dispatcher.js';
import type { VfsManifestFile, VfsWorkspaceView } from '../schemas/vfs.js';
import { requireBlobRef } from './blob-refs.js';
import { isTreeManifest, planOfFlat, planOfTree, TreeManifestBuilder } from './vfs-manifest.js';

/** Files per flat vfs/snapshots/read page (the default and the most a client may ask for), and the most one tree answer holds. */
const MAX_READ_PAGE = 10_000;
/** Manifest entries built between two yields to the event loop. */
const ENTRIES_PER_TURN = 500;

export interface VfsMethodDeps {
  blobsOf: (universe: string) => BlobStore;
  workspacesOf: (universe: string) => WorkspaceStore;
  /** Bounds on every snapshot that is committed, read or made a head (default: DEFAULT_SNAPSHOT_LIMITS). */
  limits?: SnapshotLimits;
}

/**
 * Measures a client-named snapshot root: every node beneath is checked once (memoised across
 * requests), so a ref becomes a head or is read only if it is a well-formed snapshot within the
 * limits. A missing node is not_found; a malformed one or one over the limits is the client's
 * mistake (invalid_request); a blob failing its hash check stays a server fault.
 */
async function requireSnapshotRoot(meter: SnapshotMeter, ref: BlobRef, field: string): Promise<SnapshotTotals> {
  try {
    return await meter.measure(ref);
  } catch (error) {
    if (isLightspeedError(error, 'not_found')) throw notFound(`${field} ${ref} is not a stored snapshot (or part of it is missing); commit one with vfs/snapshots/commit`);
    if (error instanceof SnapshotLimitError) throw invalidRequest(`${field} ${ref}: ${error.message}`);
    if (error instanceof TreeNodeError) throw invalidRequest(`${field} ${ref} is not a snapshot: ${error.message}`);
    if (isLightspeedError(error, 'corrupt') && !(error instanceof BlobCorruptError)) throw invalidRequest(`${field} ${ref} is a blob but not a snapshot`);
    throw error;
  }
}

/** The read cursor is the last path of the previous page, wrapped so clients treat it as opaque. */
function encodeReadCursor(path: string): string {
  return Buffer.from(JSON.stringify({ after: path }), 'utf8').toString('base64url');
}

function decodeReadCursor(cursor: string): string {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof value.after === 'string') return joinSegments(pathSegments(value.after));
  } catch {
    // Falls through to the refusal below.
  }
  throw invalidRequest('cursor is not a nextCursor returned by vfs/snapshots/read; start again without a cursor');
}

/** vfs/snapshots/* and vfs/workspaces/* over packages/vfs and the universe's WorkspaceStore. */
export function vfsMethods(deps: VfsMethodDeps): MethodHandlers {
  const limits = deps.limits ?? DEFAULT_SNAPSHOT_LIMITS;
  // Totals of every snapshot measured in this process, per universe: a head is measured once when
  // it is accepted, and every later view (list, read) costs one cache lookup or one root read.
  const totals = new SnapshotTotalsCache();
  const nodesOf = (universe: string) => new NodeStore(deps.blobsOf(universe), 10_000);
  const meterOf = (universe: string, nodes: NodeStore = nodesOf(universe)) => new SnapshotMeter(nodes, limits, totals.scoped(universe));

  const view = async (meter: SnapshotMeter, record: WorkspaceRecord, measured?: SnapshotTotals): Promise<VfsWorkspaceView> => {
    const { files, bytes } = measured ?? (await meter.totalsOf(record.headRef));
    return {
      workspaceId: record.id,
      displayName: record.displayName ?? null,
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
      const meter = meterOf(universe);
      // Refused before one blob is looked up: the count alone is over the limit.
      if (!isTreeManifest(manifest) && manifest.files.length > limits.maxFiles) {
        throw invalidRequest(`manifest.files: ${new SnapshotLimitError('maxFiles', limits.maxFiles, manifest.files.length).message}`);
      }
      const plan = isTreeManifest(manifest) ? planOfTree(manifest, limits.maxFiles) : planOfFlat(manifest);
      const seen = new Set<string>();
      const changes: TreeChange[] = [];
      let totalBytes = 0;
      for (const file of plan.files) {
        if (seen.has(file.path)) throw invalidRequest(`${file.field}.path ${file.path} appears twice`);
        seen.add(file.path);
        const ref = requireBlobRef(file.blobRef, `${file.field} blobRef`);
        const stat = await blobs.stat(ref);
        if (!stat) throw notFound(`${file.field}: blob ${ref} is not stored; upload file bodies with blobs/put before committing`);
        if (file.bytes !== undefined && file.bytes !== stat.size) throw invalidRequest(`${file.field} says ${file.bytes} bytes but blob ${ref} holds ${stat.size} bytes`);
        totalBytes += stat.size;
        changes.push({ op: 'writeRef', path: file.path, ref, size: stat.size, ...(file.executable ? { mode: EXECUTABLE_FILE_MODE } : {}) });
      }
      for (const path of plan.emptyDirectories) changes.push({ op: 'mkdir', path });
      if (plan.totals && (plan.totals.files !== plan.files.length || plan.totals.bytes !== totalBytes)) {
        throw invalidRequest(`manifest.totals says ${plan.totals.files} files and ${plan.totals.bytes} bytes, but the entries hold ${plan.files.length} files and ${totalBytes} bytes`);
      }
      // The commit checks depth, directories and bytes as it builds, before the root is stored.
      const snapshotRef = await commitChanges(meter.nodes, await emptySnapshot(meter.nodes), changes, { meter });
      const { files, bytes } = await meter.totalsOf(snapshotRef);
      return { result: { snapshotRef, files, bytes } };
    },

    'vfs/snapshots/read': async ({ snapshotRef, format, cursor, limit }, { universe }) => {
      const ref = requireBlobRef(snapshotRef, 'snapshotRef');
      const meter = meterOf(universe);
      const { files, bytes } = await requireSnapshotRoot(meter, ref, 'snapshotRef');
      if (format !== 'flat') {
        if (cursor != null || limit != null) throw invalidRequest('cursor and limit page the flat form; pass format: "flat" with them');
        if (files > MAX_READ_PAGE) {
          throw rejected(`snapshot ${ref} holds ${files} files, more than the ${MAX_READ_PAGE} a tree manifest carries in one answer; read it page by page with format: "flat"`);
        }
        const tree = new TreeManifestBuilder();
        let visited = 0;
        for await (const entry of walk(meter.nodes, ref, '/', { limits })) {
          if (++visited % ENTRIES_PER_TURN === 0) await nextTurn();
          tree.add(entry);
        }
        return { result: { snapshotRef: ref, manifest: tree.manifest({ files, bytes }), files, bytes } };
      }
      const pageSize = Math.min(Math.max(limit ?? MAX_READ_PAGE, 1), MAX_READ_PAGE);
      const page: VfsManifestFile[] = [];
      let nextCursor: string | undefined;
      let visited = 0;
      // Paged, and yielding while a page is built: a 200k-file snapshot is 20 short requests, and
      // other tenants' requests run in between.
      for await (const entry of walk(meter.nodes, ref, '/', { limits, ...(cursor ? { after: decodeReadCursor(cursor) } : {}) })) {
        if (++visited % ENTRIES_PER_TURN === 0) await nextTurn();
        if (entry.type !== 'file') continue;
        if (page.length === pageSize) {
          nextCursor = encodeReadCursor(page[page.length - 1]!.path);
          break;
        }
        const file: VfsManifestFile = { path: entry.path.slice(1), blobRef: entry.ref, bytes: entry.size };
        if (entry.mode === EXECUTABLE_FILE_MODE) file.executable = true;
        page.push(file);
      }
      return { result: { snapshotRef: ref, manifest: { version: 1, files: page }, files, bytes, ...(nextCursor ? { nextCursor } : {}) } };
    },

    'vfs/workspaces/create': async ({ workspaceId, displayName, snapshotRef }, { universe }) => {
      const meter = meterOf(universe);
      const workspaces = new Workspaces(deps.workspacesOf(universe), meter.nodes, { limits, totals: totals.scoped(universe) });
      const base = snapshotRef == null ? undefined : requireBlobRef(snapshotRef, 'snapshotRef');
      const measured = base ? await requireSnapshotRoot(meter, base, 'snapshotRef') : undefined;
      const record = await workspaces.create(workspaceId ?? `ws_${randomUUID()}`, base, displayName != null ? { displayName } : {});
      return { result: { workspace: await view(meter, record, measured) } };
    },

    'vfs/workspaces/read': async ({ workspaceId }, { universe }) => {
      const record = await existing(deps.workspacesOf(universe), workspaceId);
      return { result: { workspace: await view(meterOf(universe), record) } };
    },

    'vfs/workspaces/list': async (_params, { universe }) => {
      const store = deps.workspacesOf(universe);
      const meter = meterOf(universe);
      const records: WorkspaceRecord[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.list({ limit: 500, ...(cursor ? { cursor } : {}) });
        records.push(...page.workspaces);
        cursor = page.nextCursor;
      } while (cursor);
      // Each head was measured when it was accepted: its totals are a cache hit or one root read.
      return { result: { workspaces: await Promise.all(records.map((record) => view(meter, record))) } };
    },

    'vfs/workspaces/update': async ({ workspaceId, snapshotRef, displayName, expectedRevision }, { universe }) => {
      const store = deps.workspacesOf(universe);
      const meter = meterOf(universe);
      const ref = requireBlobRef(snapshotRef, 'snapshotRef');
      const current = await existing(store, workspaceId);
      // The new head must be a stored snapshot within the limits before it becomes reachable.
      const measured = await requireSnapshotRoot(meter, ref, 'snapshotRef');
      // An absent (or null) displayName keeps the current one.
      const record = await store.update(workspaceId, expectedRevision ?? current.revision, ref, displayName != null ? { displayName } : {});
      return { result: { workspace: await view(meter, record, measured) } };
    },

    'vfs/workspaces/delete': async ({ workspaceId }, { universe }) => {
      const store = deps.workspacesOf(universe);
      const record = await existing(store, workspaceId);
      const workspace = await view(meterOf(universe), record);
      await store.delete(workspaceId);
      return { result: { workspace } };
    },
  };
}
