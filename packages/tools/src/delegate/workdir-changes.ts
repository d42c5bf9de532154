import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createTwoFilesPatch } from 'diff';

/** A directory's files by path (relative, `/`-separated) with their bytes. */
export type DirectoryState = Map<string, Buffer>;

export interface WorkdirChange {
  path: string;
  change: 'added' | 'modified' | 'deleted';
}

/** The CLIs' own state never counts as a change of the workspace. */
const IGNORED = new Set(['.git', '.claude', '.codex']);

export async function readDirectoryState(root: string): Promise<DirectoryState> {
  const state: DirectoryState = new Map();
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (IGNORED.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) state.set(relative(root, path).split('\\').join('/'), await readFile(path));
    }
  };
  await walk(root);
  return state;
}

const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What changed between two states, sorted by path, and a unified diff of the text files. */
export function changesBetween(before: DirectoryState, after: DirectoryState): { changes: WorkdirChange[]; diff: string } {
  const changes: WorkdirChange[] = [];
  for (const [path, bytes] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push({ path, change: 'added' });
    else if (digest(old) !== digest(bytes)) changes.push({ path, change: 'modified' });
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push({ path, change: 'deleted' });
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const text = (bytes: Buffer | undefined): string | undefined => (bytes === undefined ? '' : bytes.includes(0) ? undefined : bytes.toString('utf8'));
  const diff = changes
    .map(({ path, change }) => {
      const oldText = text(before.get(path));
      const newText = text(after.get(path));
      if (oldText === undefined || newText === undefined) return `Binary file ${path} ${change}\n`;
      return createTwoFilesPatch(change === 'added' ? '/dev/null' : `a/${path}`, change === 'deleted' ? '/dev/null' : `b/${path}`, oldText, newText, '', '', { context: 3 });
    })
    .join('');
  return { changes, diff };
}
