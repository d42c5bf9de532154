import { chmod, lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LightspeedError } from '@lightspeed/ports';
import { GitignoreStack, joinSegments, normalizePath, pathSegments } from '@lightspeed/vfs';
import type { FileBackend, FileChange, FileListEntry, FileStat, FileWalkEntry } from '../files/file-backend.js';
import { HostRoot } from './host-root.js';

/** A host directory as a mount: every access is confined to the root (see HostRoot). */
export class HostBackend implements FileBackend {
  readonly host: HostRoot;

  constructor(root: string | HostRoot) {
    this.host = typeof root === 'string' ? new HostRoot(root) : root;
  }

  async stat(path: string): Promise<FileStat | undefined> {
    let real: string;
    try {
      real = await this.host.existing(path);
    } catch (error) {
      if (error instanceof LightspeedError && error.code === 'not_found') return undefined;
      throw error;
    }
    const info = await stat(real);
    if (info.isDirectory()) return { type: 'dir', size: (await readdir(real)).length };
    return { type: 'file', size: info.size };
  }

  async readFile(path: string): Promise<Uint8Array> {
    const real = await this.host.existing(path);
    const info = await stat(real);
    if (info.isDirectory()) throw new LightspeedError('invalid', `${normalizePath(path)} is a directory, not a file; list it instead`);
    return new Uint8Array(await readFile(real));
  }

  async list(path: string): Promise<FileListEntry[]> {
    const real = await this.host.existing(path);
    if (!(await stat(real)).isDirectory()) throw new LightspeedError('invalid', `${normalizePath(path)} is a file, not a directory`);
    const out: FileListEntry[] = [];
    for (const dirent of await readdir(real, { withFileTypes: true })) {
      const child = joinSegments([...pathSegments(path), dirent.name]);
      const info = await this.stat(child).catch(() => undefined);
      if (!info) continue; // symlinks that escape are not shown
      out.push(info.type === 'file' ? { name: dirent.name, type: 'file', size: info.size } : { name: dirent.name, type: 'dir' });
    }
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Walks like `rg --files` does: `.git` and whatever `.gitignore` files exclude are skipped. */
  async *walk(path: string): AsyncIterable<FileWalkEntry> {
    const real = await this.host.existing(path);
    // Ignore rules of the directories above `path` (up to the root) apply too.
    const segments = pathSegments(path);
    const rootReal = await this.host.realRootPath();
    let rules = GitignoreStack.empty();
    for (let i = 0; i < segments.length; i++) rules = await rules.enter(`${rootReal}/${segments.slice(0, i).join('/')}`, segments.slice(0, i).join('/'));
    yield* this.walkReal(real, segments, rules);
  }

  private async *walkReal(real: string, segments: string[], parentRules: GitignoreStack): AsyncIterable<FileWalkEntry> {
    const rules = await parentRules.enter(real, segments.join('/'));
    const dirents = await readdir(real, { withFileTypes: true }).catch(() => []);
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const dirent of dirents) {
      if (dirent.name === '.git') continue;
      const childSegments = [...segments, dirent.name];
      const childReal = `${real}/${dirent.name}`;
      if (rules.ignores(childSegments.join('/'), dirent.isDirectory())) continue;
      if (dirent.isDirectory()) {
        yield { path: joinSegments(childSegments), type: 'dir', size: 0 };
        yield* this.walkReal(childReal, childSegments, rules);
      } else if (dirent.isFile()) {
        const info = await lstat(childReal).catch(() => undefined);
        if (info) yield { path: joinSegments(childSegments), type: 'file', size: info.size };
      } else if (dirent.isSymbolicLink()) {
        // Only a link to a file inside the root is visible; directory links are not followed.
        const target = await realpath(childReal).catch(() => undefined);
        if (!target || !(await this.host.contains(target))) continue;
        const info = await stat(target);
        if (info.isFile()) yield { path: joinSegments(childSegments), type: 'file', size: info.size };
      }
    }
  }

  /**
   * What deleting `path` removes: the entry itself in its (confined) parent directory, so deleting
   * a symlink removes the link, never the file it points to.
   */
  private async deletionTarget(path: string): Promise<string> {
    const segments = pathSegments(path);
    const name = segments.pop();
    if (name === undefined) throw new LightspeedError('invalid', 'cannot delete the root directory');
    const parent = await this.host.existing(joinSegments(segments));
    const target = `${parent}/${name}`;
    if (!(await lstat(target).catch(() => undefined))) throw new LightspeedError('not_found', `${normalizePath(path)} does not exist`);
    return target;
  }

  /**
   * Resolves and checks every path first, stages writes in temp files, then renames them into
   * place, so a failure before the renames leaves the tree untouched.
   */
  async commit(changes: readonly FileChange[]): Promise<void> {
    const planned: { change: FileChange; real: string }[] = [];
    for (const change of changes) {
      planned.push({ change, real: change.op === 'write' ? await this.host.forWrite(change.path) : await this.deletionTarget(change.path) });
    }
    const staged: { temp: string; real: string }[] = [];
    try {
      for (const { change, real } of planned) {
        if (change.op !== 'write') continue;
        await mkdir(dirname(real), { recursive: true });
        const temp = `${real}.lightspeed-${process.pid}-${staged.length}.tmp`;
        await writeFile(temp, change.content, { flag: 'wx' });
        staged.push({ temp, real });
        // Overwriting keeps the file's permissions (an executable script stays executable).
        const previous = await stat(real).catch(() => undefined);
        if (previous?.isFile()) await chmod(temp, previous.mode & 0o7777);
      }
    } catch (error) {
      await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
      throw error;
    }
    try {
      for (const { temp, real } of staged) await rename(temp, real);
    } finally {
      await Promise.all(staged.map((s) => rm(s.temp, { force: true })));
    }
    for (const { change, real } of planned) if (change.op === 'delete') await rm(real, { recursive: true, force: true });
  }
}
