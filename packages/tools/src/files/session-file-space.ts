import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';
import type { Workspaces } from '@lightspeed/vfs';
import type { HostEnvironment } from '../host/host-environment.js';
import type { WorkspaceLink } from '../runtime/session-features.js';
import { FileSpace, type FileSpaceMount } from './file-space.js';
import { SnapshotBackend, WorkspaceBackend } from './vfs-backends.js';

/**
 * A session's file namespace: its workspace and snapshot links, plus the host directory when it
 * has one. The tool runtime's file tools and the API's skill methods read through the same one, so
 * the skills a client lists are the skills the model's catalog names.
 */
export function sessionFileSpace(workspaces: Workspaces, links: readonly WorkspaceLink[], host?: HostEnvironment): FileSpace {
  const mounts: FileSpaceMount[] = links.map((link) => {
    if (link.target.type === 'workspace') return { path: link.path, access: link.access, backend: new WorkspaceBackend(workspaces, link.target.workspaceId) };
    if (!isBlobRef(link.target.snapshotRef)) throw new LightspeedError('invalid', `snapshot link ${link.path} has an invalid ref`);
    return { path: link.path, access: 'readOnly', backend: new SnapshotBackend(workspaces.nodes, link.target.snapshotRef as BlobRef) };
  });
  if (host) mounts.push({ path: host.mountPath, access: host.config.readOnly ? 'readOnly' : 'readWrite', backend: host.backend });
  return new FileSpace(mounts);
}
