/** What a mount exposes to the file tools. Paths are inner paths (`/` is the mount's root). */
export interface FileStat {
  type: 'file' | 'dir';
  size: number;
}

export interface FileListEntry {
  name: string;
  type: 'file' | 'dir';
  size?: number;
}

export interface FileWalkEntry {
  path: string;
  type: 'file' | 'dir';
  size: number;
}

export type FileChange = { op: 'write'; path: string; content: Uint8Array } | { op: 'delete'; path: string };

/**
 * A file tree behind a mount: a snapshot, a workspace or a host directory. Reads throw
 * `LightspeedError` (`not_found`, `invalid`, `forbidden`); `commit` applies all changes or none.
 */
export interface FileBackend {
  stat(path: string): Promise<FileStat | undefined>;
  readFile(path: string): Promise<Uint8Array>;
  list(path: string): Promise<FileListEntry[]>;
  /** Every entry beneath `path`, depth-first with sorted names. */
  walk(path: string): AsyncIterable<FileWalkEntry>;
  commit(changes: readonly FileChange[]): Promise<void>;
}
