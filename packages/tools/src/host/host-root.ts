import { lstat, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import { normalizePath, pathSegments } from '@lightspeed/vfs';

/**
 * A real directory the session may touch. Every access maps an inner path to a real path and
 * proves, with `realpath`, that the result is still inside the root: `..` is rejected by path
 * normalisation, and a symlink (anywhere on the path) that points outside is refused. The check
 * runs on every access, not once, because the model can create symlinks with `exec`.
 */
export class HostRoot {
  private realRoot: Promise<string> | undefined;

  constructor(readonly root: string) {}

  private async real(): Promise<string> {
    this.realRoot ??= realpath(this.root).catch(() => {
      throw new LightspeedError('not_found', `the host root ${this.root} does not exist; create it or fix the session's host config`);
    });
    return this.realRoot;
  }

  /** The real path for `inner`, which must exist. */
  async existing(inner: string): Promise<string> {
    const root = await this.real();
    const candidate = join(root, ...pathSegments(inner));
    let resolved: string;
    try {
      resolved = await realpath(candidate);
    } catch (error) {
      // A dangling symlink: refuse it like any other link we cannot prove is inside.
      if ((await lstat(candidate).catch(() => undefined))?.isSymbolicLink()) throw escape(inner);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new LightspeedError('not_found', `${normalizePath(inner)} does not exist`, { path: normalizePath(inner) });
      throw error;
    }
    if (!within(resolved, root)) throw escape(inner);
    return resolved;
  }

  /** The real path to write `inner` at: its nearest existing ancestor must resolve inside the root. */
  async forWrite(inner: string): Promise<string> {
    const root = await this.real();
    const segments = pathSegments(inner);
    if (segments.length === 0) throw new LightspeedError('invalid', 'cannot write to the root directory itself');
    const candidate = join(root, ...segments);
    const existing = await lstat(candidate).catch(() => undefined);
    if (existing) {
      const resolved = await this.existing(inner);
      return resolved;
    }
    let ancestor = dirname(candidate);
    const missing: string[] = [segments[segments.length - 1]!];
    for (;;) {
      const info = await lstat(ancestor).catch(() => undefined);
      if (info) break;
      missing.unshift(ancestor.slice(dirname(ancestor).length + 1));
      ancestor = dirname(ancestor);
    }
    const resolvedAncestor = await realpath(ancestor).catch(() => {
      throw escape(inner);
    });
    if (!within(resolvedAncestor, root)) throw escape(inner);
    return join(resolvedAncestor, ...missing);
  }

  /** True when `real` (an already-resolved path) lies inside the root. */
  async contains(real: string): Promise<boolean> {
    return within(real, await this.real());
  }

  async realRootPath(): Promise<string> {
    return this.real();
  }
}

function within(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

function escape(inner: string): LightspeedError {
  return new LightspeedError('forbidden', `${normalizePath(inner)} resolves outside the host root (symlink escape); only paths inside the root are allowed`, {
    path: normalizePath(inner),
  });
}
