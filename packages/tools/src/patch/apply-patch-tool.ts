import { LightspeedError } from '@lightspeed/ports';
import { resolvePath } from '@lightspeed/vfs';
import type { FileChange } from '../files/file-backend.js';
import { decodeText } from '../files/text-content.js';
import { fail, ok, type LogicalTool } from '../tool-definition.js';
import { applyChunks, PatchConflictError } from './patch-apply.js';
import { parsePatch, PatchSyntaxError } from './patch-format.js';

export interface ApplyPatchArgs {
  patch: string;
  /** Directory relative patch paths are resolved against. */
  cwd?: string;
}

const FORMAT_HINT =
  'Expected format:\n*** Begin Patch\n*** Update File: path/to/file\n@@ optional anchor\n context line\n-removed line\n+added line\n*** End Patch';

/**
 * Applies a `*** Begin Patch` patch atomically: every operation is computed against the current
 * files first, and only if all of them apply are the changes committed (in one commit per mount).
 */
export const applyPatchTool: LogicalTool<ApplyPatchArgs> = {
  logical: 'vfs.apply_patch',
  parallelism: 'exclusive',
  async run(args, env) {
    let ops;
    try {
      ops = parsePatch(args.patch);
    } catch (error) {
      if (error instanceof PatchSyntaxError) return fail(`${error.message}\n${FORMAT_HINT}`);
      throw error;
    }
    const files = env.files();
    const cwd = args.cwd ?? '/';
    // The files as they will be after the patch: path → text, or null when deleted.
    const overlay = new Map<string, string | null>();
    const current = async (path: string): Promise<string | null> => {
      if (overlay.has(path)) return overlay.get(path)!;
      const info = await files.stat(path);
      if (!info) return null;
      if (info.type === 'dir') throw new PatchConflictError(`${path} is a directory`);
      const text = decodeText(await files.readFile(path));
      if (text === undefined) throw new PatchConflictError(`${path} is a binary file`);
      return text;
    };
    const summary: string[] = [];
    try {
      for (const op of ops) {
        const path = resolvePath(cwd, op.path);
        if (op.type === 'add') {
          if ((await current(path)) !== null) throw new PatchConflictError(`cannot add ${path}: it already exists (use "*** Update File:")`);
          overlay.set(path, op.content);
          summary.push(`A ${path}`);
        } else if (op.type === 'delete') {
          if ((await current(path)) === null) throw new PatchConflictError(`cannot delete ${path}: it does not exist`);
          overlay.set(path, null);
          summary.push(`D ${path}`);
        } else {
          const text = await current(path);
          if (text === null) throw new PatchConflictError(`cannot update ${path}: it does not exist (use "*** Add File:")`);
          const next = applyChunks(path, text, op.chunks);
          if (op.moveTo !== undefined) {
            const dest = resolvePath(cwd, op.moveTo);
            if (dest !== path && (await current(dest)) !== null) throw new PatchConflictError(`cannot move ${path} to ${dest}: the destination exists`);
            overlay.set(path, null);
            overlay.set(dest, next);
            summary.push(`M ${path} -> ${dest}`);
          } else {
            overlay.set(path, next);
            summary.push(`M ${path}`);
          }
        }
      }
    } catch (error) {
      if (error instanceof PatchConflictError) return fail(`${error.message}\nNo files were changed.`);
      if (error instanceof LightspeedError && error.code === 'invalid') return fail(`${error.message}\nNo files were changed.`);
      throw error;
    }
    const encoder = new TextEncoder();
    const changes: FileChange[] = [...overlay].map(([path, text]) => (text === null ? { op: 'delete', path } : { op: 'write', path, content: encoder.encode(text) }));
    await files.commit(changes);
    return ok(
      `Success. Updated the following files:\n${summary.join('\n')}`,
      changes.map((c) => ({ kind: c.op === 'delete' ? 'vfs.delete' : 'vfs.write', data: { path: c.path } })),
    );
  },
};
