import { z } from 'zod';
import { cappedArray, MAX_MANIFEST_FILES } from './limits.js';
import { epochMs, named, uint } from './registry.js';

/*
 * The contract leaves the snapshot manifest open (`manifest: true`). Ours is a flat file list: the
 * server builds the content-addressed tree from it, and reads flatten the tree back into one.
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

export const VfsSnapshotCommitParams = named('VfsSnapshotCommitParams', z.object({ manifest: VfsManifest }));
export const VfsSnapshotCommitResponse = named(
  'VfsSnapshotCommitResponse',
  z.object({ snapshotRef: z.string(), files: uint(), bytes: uint() }),
);

export const VfsSnapshotReadParams = named(
  'VfsSnapshotReadParams',
  z.object({
    snapshotRef: z.string(),
    cursor: z.string().nullish().describe('nextCursor of the previous page; absent for the first page.'),
    limit: uint().nullish().describe('Files per page (1 to 10,000; default 10,000).'),
  }),
);
export const VfsSnapshotReadResponse = named(
  'VfsSnapshotReadResponse',
  z.object({
    snapshotRef: z.string(),
    // One page of the file list in path order; files and bytes are totals of the whole snapshot.
    manifest: VfsManifest,
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

export const VfsWorkspaceCreateParams = named(
  'VfsWorkspaceCreateParams',
  z.object({ workspaceId: workspaceId().nullish(), displayName: z.string().nullish(), snapshotRef: z.string().nullish() }),
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
    displayName: z.string().nullish(),
    expectedRevision: uint().nullish(),
  }),
);
export const VfsWorkspaceUpdateResponse = named('VfsWorkspaceUpdateResponse', z.object({ workspace: VfsWorkspaceView }));

export const VfsWorkspaceDeleteParams = named('VfsWorkspaceDeleteParams', z.object({ workspaceId: z.string() }));
export const VfsWorkspaceDeleteResponse = named('VfsWorkspaceDeleteResponse', z.object({ workspace: VfsWorkspaceView }));
