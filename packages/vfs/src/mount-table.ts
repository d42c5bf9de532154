import { LightspeedError } from '@lightspeed/ports';
import { isWithin, normalizePath, pathSegments, relativeTo, type VfsPath } from './vfs-path.js';

export type MountAccess = 'readOnly' | 'readWrite';

export interface Mount<T> {
  /** Where the mount appears in the session namespace (normalised, e.g. `/workspace`). */
  path: VfsPath;
  access: MountAccess;
  /** What is mounted (a snapshot, a workspace, a host directory…); opaque to the table. */
  target: T;
}

export interface ResolvedPath<T> {
  mount: Mount<T>;
  /** The path inside the mount (`/` is the mount's root). */
  innerPath: VfsPath;
  /** The normalised session path that was resolved. */
  path: VfsPath;
}

/**
 * A session's namespace: several snapshots/workspaces linked at paths. A path resolves to the mount
 * with the longest matching prefix; writes through a read-only mount are refused, and a path that
 * is not under any mount is `not_found`. Normalisation rejects `..` escapes before resolution.
 */
export class MountTable<T> {
  private readonly mounts: Mount<T>[];

  constructor(mounts: readonly Mount<T>[]) {
    const seen = new Set<string>();
    this.mounts = mounts.map((mount) => {
      const path = normalizePath(mount.path);
      if (seen.has(path)) throw new LightspeedError('invalid', `two mounts share the path ${path}; give each link its own path`, { path });
      seen.add(path);
      return { ...mount, path };
    });
    // Longest path first so nested mounts shadow their parents.
    this.mounts.sort((a, b) => b.path.length - a.path.length);
  }

  list(): readonly Mount<T>[] {
    return this.mounts;
  }

  resolve(input: string, options: { write?: boolean } = {}): ResolvedPath<T> {
    const path = normalizePath(input);
    const mount = this.mounts.find((candidate) => isWithin(path, candidate.path));
    if (!mount) {
      const roots = this.mounts.map((m) => m.path).sort().join(', ') || '(none)';
      throw new LightspeedError('not_found', `${path} is not inside any mounted workspace; mounted paths: ${roots}`, { path });
    }
    if (options.write && mount.access !== 'readWrite') {
      throw new LightspeedError('forbidden', `${path} is on the read-only mount ${mount.path}; write under a read-write mount instead`, { path, mount: mount.path });
    }
    return { mount, innerPath: relativeTo(path, mount.path), path };
  }

  /**
   * Names of mount points directly beneath `dir` that are not inside a mount themselves, so a
   * listing of `/` can show `/workspace` and `/docs` even though `/` is not mounted.
   */
  virtualChildren(dir: string): string[] {
    const base = normalizePath(dir);
    const baseDepth = pathSegments(base).length;
    const names = new Set<string>();
    for (const mount of this.mounts) {
      if (mount.path === base || !isWithin(mount.path, base)) continue;
      const name = pathSegments(mount.path)[baseDepth];
      if (name !== undefined) names.add(name);
    }
    return [...names].sort();
  }

  /** True when `dir` is an ancestor of some mount but not itself inside one. */
  isVirtualDirectory(dir: string): boolean {
    const path = normalizePath(dir);
    return !this.mounts.some((m) => isWithin(path, m.path)) && this.virtualChildren(path).length > 0;
  }
}
