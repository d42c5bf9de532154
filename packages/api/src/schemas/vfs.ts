import { z } from 'zod';
import { cappedArray, MAX_MANIFEST_FILES } from './limits.js';
import { epochMs, named, uint } from './registry.js';

/*
 * The contract leaves the snapshot manifest open (`manifest: true`). Two forms are accepted:
 * - the upstream tree manifest (`schema_version: "lightspeed.vfs.snapshot.v1"`), nested
 *   directories of named entries — what the upstream server returns and its clients send;
 * - our flat file list (`version: 1`), which pages well for very large snapshots.
 * Either way the server builds the content-addressed tree itself; reads answer in the tree form
 * unless `format: "flat"` asks for the flat pages.
 */
export const VfsManifestFile = named(
  'VfsManifestFile',
  z.object({
    path: z.string().min(1).max(4096).describe('Slash-separated path relative to the snapshot root; no `.`/`..` segments.'),
    blobRef: z.string().describe('CAS ref of the file body (upload it with blobs/put first).'),
    bytes: uint().optional().describe('Size of the body; checked against the stored blob when present.'),
    executable: z.boolean().optional(),
  }),
);
export type VfsManifestFile = z.infer<typeof VfsManifestFile>;
export const VfsManifest = named(
  'VfsManifest',
  z.object({ version: z.literal(1), files: cappedArray(VfsManifestFile, MAX_MANIFEST_FILES) }),
  'Lightspeed snapshot manifest (version 1): a flat list of files.',
);
export type VfsManifest = z.infer<typeof VfsManifest>;

export const TREE_MANIFEST_SCHEMA_VERSION = 'lightspeed.vfs.snapshot.v1';

/**
 * One path segment: a name can never climb (`..`), stay put (`.`) or smuggle a separator.
 * (A `__proto__` key never gets here: rpc/params-guard.ts refuses it, as records would drop it.)
 */
const entryName = z
  .string()
  .min(1)
  .max(255)
  .refine(
    (name) => name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\\') && !name.includes('\0'),
    'an entry name is one path segment: not ".", "..", and without "/", "\\" or NUL',
  );

export const VfsTreeFile = named(
  'VfsTreeFile',
  z.object({
    kind: z.literal('file'),
    blob_ref: z.string().describe('CAS ref of the file body (upload it with blobs/put first).'),
    size_bytes: uint().describe('Size of the body; checked against the stored blob.'),
    executable: z.boolean().optional().describe('Absent means false; reads always say.'),
  }),
);
export type VfsTreeFile = z.infer<typeof VfsTreeFile>;
export interface VfsTreeDirectory {
  kind: 'directory';
  entries: Record<string, VfsTreeEntry>;
}
export type VfsTreeEntry = VfsTreeFile | VfsTreeDirectory;
export const VfsTreeDirectory: z.ZodType<VfsTreeDirectory> = named(
  'VfsTreeDirectory',
  z.object({
    kind: z.literal('directory'),
    get entries() {
      return z.record(entryName, VfsTreeEntry);
    },
  }),
);
export const VfsTreeEntry: z.ZodType<VfsTreeEntry> = named('VfsTreeEntry', z.union([VfsTreeFile, VfsTreeDirectory]));
export const VfsTreeManifest = named(
  'VfsTreeManifest',
  z.object({
    schema_version: z.literal(TREE_MANIFEST_SCHEMA_VERSION),
    root: z.object({ entries: z.record(entryName, VfsTreeEntry) }),
    totals: z.object({ files: uint(), bytes: uint() }).optional().describe('Checked against the entries when present; reads always include it.'),
  }),
  'Upstream Lightspeed snapshot manifest: the tree of named entries.',
);
export type VfsTreeManifest = z.infer<typeof VfsTreeManifest>;

export const VfsSnapshotCommitParams = named('VfsSnapshotCommitParams', z.object({ manifest: z.union([VfsTreeManifest, VfsManifest]) }));
export const VfsSnapshotCommitResponse = named(
  'VfsSnapshotCommitResponse',
  z.object({ snapshotRef: z.string(), files: uint(), bytes: uint() }),
);

export const VfsSnapshotReadParams = named(
  'VfsSnapshotReadParams',
  z.object({
    snapshotRef: z.string(),
    format: z.enum(['tree', 'flat']).nullish().describe('Extension. `tree` (default): the whole upstream tree manifest, up to 10,000 files. `flat`: our flat file list, paged with cursor/limit.'),
    cursor: z.string().nullish().describe('Flat format only: nextCursor of the previous page; absent for the first page.'),
    limit: uint().nullish().describe('Flat format only: files per page (1 to 10,000; default 10,000).'),
  }),
);
export const VfsSnapshotReadResponse = named(
  'VfsSnapshotReadResponse',
  z.object({
    snapshotRef: z.string(),
    // The tree, or one page of the flat file list in path order; files and bytes are totals of the whole snapshot.
    manifest: z.union([VfsTreeManifest, VfsManifest]),
    files: uint(),
    bytes: uint(),
    nextCursor: z.string().nullish().describe('Present when more files follow; pass it back as cursor.'),
  }),
);

export const VfsWorkspaceView = named(
  'VfsWorkspaceView',
  z.object({
    workspaceId: z.string(),
    displayName: z.string().nullish(),
    headSnapshotRef: z.string(),
    baseSnapshotRef: z.string().nullish(),
    files: uint(),
    bytes: uint(),
    revision: uint(),
    createdAtMs: epochMs(),
    updatedAtMs: epochMs(),
  }),
);
export type VfsWorkspaceView = z.infer<typeof VfsWorkspaceView>;

const workspaceId = () => z.string().min(1).max(200).regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');
const workspaceDisplayName = () => z.string().max(1_000).describe('A label for people, stored with the workspace.');

export const VfsWorkspaceCreateParams = named(
  'VfsWorkspaceCreateParams',
  z.object({ workspaceId: workspaceId().nullish(), displayName: workspaceDisplayName().nullish(), snapshotRef: z.string().nullish() }),
);
export const VfsWorkspaceCreateResponse = named('VfsWorkspaceCreateResponse', z.object({ workspace: VfsWorkspaceView }));

export const VfsWorkspaceReadParams = named('VfsWorkspaceReadParams', z.object({ workspaceId: z.string() }));
export const VfsWorkspaceReadResponse = named('VfsWorkspaceReadResponse', z.object({ workspace: VfsWorkspaceView }));

export const VfsWorkspaceListParams = named('VfsWorkspaceListParams', z.object({}));
export const VfsWorkspaceListResponse = named(
  'VfsWorkspaceListResponse',
  z.object({ workspaces: z.array(VfsWorkspaceView).default([]) }),
);

export const VfsWorkspaceUpdateParams = named(
  'VfsWorkspaceUpdateParams',
  z.object({
    workspaceId: z.string(),
    snapshotRef: z.string(),
    displayName: workspaceDisplayName().nullish().describe('New label; absent or null keeps the current one.'),
    expectedRevision: uint().nullish(),
  }),
);
export const VfsWorkspaceUpdateResponse = named('VfsWorkspaceUpdateResponse', z.object({ workspace: VfsWorkspaceView }));

export const VfsWorkspaceDeleteParams = named('VfsWorkspaceDeleteParams', z.object({ workspaceId: z.string() }));
export const VfsWorkspaceDeleteResponse = named('VfsWorkspaceDeleteResponse', z.object({ workspace: VfsWorkspaceView }));
