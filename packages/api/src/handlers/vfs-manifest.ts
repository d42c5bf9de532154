import { EXECUTABLE_FILE_MODE, joinSegments, pathSegments, type WalkEntry } from '@lightspeed/vfs';
import { invalidRequest } from '../rpc/api-error.js';
import { TREE_MANIFEST_SCHEMA_VERSION, type VfsManifest, type VfsTreeDirectory, type VfsTreeEntry, type VfsTreeManifest } from '../schemas/vfs.js';

/** A file a manifest names, with the field to blame in an error. */
export interface PlannedFile {
  path: string;
  blobRef: string;
  bytes?: number;
  executable: boolean;
  field: string;
}

/** What a commit builds, whichever manifest form it came in. */
export interface ManifestPlan {
  files: PlannedFile[];
  /** Directories with no entries: the tree form can say so, the flat form cannot. */
  emptyDirectories: string[];
  /** Totals the client claims (tree form); checked against the files. */
  totals?: { files: number; bytes: number };
}

export function isTreeManifest(manifest: VfsManifest | VfsTreeManifest): manifest is VfsTreeManifest {
  return 'schema_version' in manifest;
}

/** A client path, normalised; never the root and never above it. */
function normalisedPath(raw: string, field: string): string {
  let segments: string[];
  try {
    segments = pathSegments(raw);
  } catch (error) {
    throw invalidRequest(`${field}: ${(error as Error).message}`);
  }
  if (segments.length === 0) throw invalidRequest(`${field} names the root directory`);
  // The snapshot builder keeps entries in plain objects, where this name would vanish without a
  // trace (a flat path can carry it; a tree key is refused before this, see params-guard.ts).
  if (segments.includes('__proto__')) throw invalidRequest(`${field}: an entry named __proto__ cannot be stored`);
  return joinSegments(segments);
}

export function planOfFlat(manifest: VfsManifest): ManifestPlan {
  const files = manifest.files.map((file, index) => {
    const field = `manifest.files[${index}]`;
    const planned: PlannedFile = { path: normalisedPath(file.path, `${field}.path`), blobRef: file.blobRef, executable: file.executable === true, field };
    if (file.bytes !== undefined) planned.bytes = file.bytes;
    return planned;
  });
  return { files, emptyDirectories: [] };
}

/**
 * The tree form's files in path order. Iterative, so nesting costs no stack; depth is bounded by
 * the params depth guard before this runs and by the snapshot limits when the tree is built.
 * Names are single segments (the schema refuses `.`, `..` and separators), so a path never leaves
 * the root; each is still normalised like a flat path, as a second line.
 */
export function planOfTree(manifest: VfsTreeManifest, maxFiles: number): ManifestPlan {
  const files: PlannedFile[] = [];
  const emptyDirectories: string[] = [];
  const pending: { path: string; entries: Record<string, VfsTreeEntry> }[] = [{ path: '', entries: manifest.root.entries }];
  while (pending.length > 0) {
    const { path, entries } = pending.pop()!;
    const names = Object.keys(entries).sort().reverse();
    for (const name of names) {
      const entry = entries[name]!;
      const childPath = `${path}/${name}`;
      const field = `manifest.root entry ${childPath}`;
      if (entry.kind === 'file') {
        if (files.length >= maxFiles) throw invalidRequest(`manifest.root holds more than ${maxFiles} files, the per-snapshot limit (maxFiles)`);
        files.push({ path: normalisedPath(childPath, field), blobRef: entry.blob_ref, bytes: entry.size_bytes, executable: entry.executable === true, field });
      } else if (Object.keys(entry.entries).length === 0) {
        emptyDirectories.push(normalisedPath(childPath, field));
      } else {
        pending.push({ path: childPath, entries: entry.entries });
      }
    }
  }
  return { files, emptyDirectories, ...(manifest.totals ? { totals: manifest.totals } : {}) };
}

/**
 * Builds the tree form from a snapshot walk (parents before children). Entry maps have no
 * prototype, so a file named `__proto__` is an entry like any other.
 */
export class TreeManifestBuilder {
  private readonly root: Record<string, VfsTreeEntry> = Object.create(null) as Record<string, VfsTreeEntry>;
  private readonly directories = new Map<string, Record<string, VfsTreeEntry>>([['/', this.root]]);

  add(entry: WalkEntry): void {
    const cut = entry.path.lastIndexOf('/');
    const parent = this.directories.get(cut === 0 ? '/' : entry.path.slice(0, cut));
    // A walk yields a directory before what it holds; anything else is a walk bug.
    if (!parent) throw new Error(`snapshot walk yielded ${entry.path} before its directory`);
    const name = entry.path.slice(cut + 1);
    if (entry.type === 'dir') {
      const directory: VfsTreeDirectory = { kind: 'directory', entries: Object.create(null) as Record<string, VfsTreeEntry> };
      parent[name] = directory;
      this.directories.set(entry.path, directory.entries);
    } else {
      parent[name] = { kind: 'file', blob_ref: entry.ref, size_bytes: entry.size, executable: entry.mode === EXECUTABLE_FILE_MODE };
    }
  }

  manifest(totals: { files: number; bytes: number }): VfsTreeManifest {
    return { schema_version: TREE_MANIFEST_SCHEMA_VERSION, root: { entries: this.root }, totals };
  }
}
