import { LightspeedError } from '@lightspeed/ports';
import { joinSegments, MountTable, normalizePath, pathSegments, type Mount, type MountAccess } from '@lightspeed/vfs';
import type { FileBackend, FileChange, FileListEntry, FileStat, FileWalkEntry } from './file-backend.js';

export interface FileSpaceMount {
  path: string;
  access: MountAccess;
  backend: FileBackend;
}

/**
 * The session's file namespace for one tool call: mounts resolved through a MountTable, with
 * session paths in and out. Tools only ever see this, so VFS and host directories behave alike.
 */
export class FileSpace {
  readonly table: MountTable<FileBackend>;

  constructor(mounts: readonly FileSpaceMount[]) {
    this.table = new MountTable<FileBackend>(mounts.map((m): Mount<FileBackend> => ({ path: m.path, access: m.access, target: m.backend })));
  }

  get writable(): boolean {
    return this.table.list().some((m) => m.access === 'readWrite');
  }

  async stat(path: string): Promise<FileStat | undefined> {
    if (this.table.isVirtualDirectory(path)) return { type: 'dir', size: this.table.virtualChildren(path).length };
    const { mount, innerPath } = this.table.resolve(path);
    return mount.target.stat(innerPath);
  }

  async readFile(path: string): Promise<Uint8Array> {
    if (this.table.isVirtualDirectory(path)) throw new LightspeedError('invalid', `${normalizePath(path)} is a directory, not a file`);
    const { mount, innerPath } = this.table.resolve(path);
    return mount.target.readFile(innerPath);
  }

  async list(path: string): Promise<FileListEntry[]> {
    if (this.table.isVirtualDirectory(path)) return this.table.virtualChildren(path).map((name) => ({ name, type: 'dir' as const }));
    const { mount, innerPath } = this.table.resolve(path);
    const entries = await mount.target.list(innerPath);
    // Nested mount points show up as directories of their parent mount.
    const names = new Set(entries.map((e) => e.name));
    for (const name of this.table.virtualChildren(path)) if (!names.has(name)) entries.push({ name, type: 'dir' });
    return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Every entry beneath `path` as session paths, crossing into nested mounts. */
  async *walk(path: string): AsyncIterable<FileWalkEntry> {
    const base = normalizePath(path);
    if (this.table.isVirtualDirectory(base)) {
      for (const name of this.table.virtualChildren(base)) {
        const child = joinSegments([...pathSegments(base), name]);
        yield { path: child, type: 'dir', size: 0 };
        yield* this.walk(child);
      }
      return;
    }
    const { mount, innerPath } = this.table.resolve(base);
    const prefix = mount.path === '/' ? '' : mount.path;
    // Paths under a nested mount belong to that mount, not to this one.
    const shadowed = this.table.list().filter((m) => m !== mount && m.path.startsWith(`${mount.path === '/' ? '' : mount.path}/`));
    for await (const entry of mount.target.walk(innerPath)) {
      const sessionPath = entry.path === '/' ? mount.path : `${prefix}${entry.path}`;
      if (shadowed.some((m) => sessionPath === m.path || sessionPath.startsWith(`${m.path}/`))) continue;
      yield { ...entry, path: sessionPath };
    }
    for (const nested of shadowed) {
      if (nested.path.startsWith(`${base === '/' ? '' : base}/`) && parentMountOf(this.table, nested) === mount) {
        yield { path: nested.path, type: 'dir', size: 0 };
        yield* this.walk(nested.path);
      }
    }
  }

  /**
   * Applies changes given as session paths. Every path is resolved (and write access checked)
   * before anything is written, and each mount's share is committed atomically. A batch spanning
   * several mounts is atomic per mount only.
   */
  async commit(changes: readonly FileChange[]): Promise<void> {
    const perMount = new Map<FileBackend, FileChange[]>();
    for (const change of changes) {
      const { mount, innerPath } = this.table.resolve(change.path, { write: true });
      const list = perMount.get(mount.target) ?? [];
      list.push({ ...change, path: innerPath });
      perMount.set(mount.target, list);
    }
    for (const [backend, list] of perMount) await backend.commit(list);
  }
}

function parentMountOf(table: MountTable<FileBackend>, nested: Mount<FileBackend>): Mount<FileBackend> | undefined {
  const segments = pathSegments(nested.path);
  segments.pop();
  try {
    return table.resolve(joinSegments(segments)).mount;
  } catch {
    return undefined;
  }
}
