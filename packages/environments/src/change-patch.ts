import { createTwoFilesPatch } from 'diff';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import type { SnapshotChange } from '@lightspeed/vfs';

/** Files above this size (either side) are listed in the patch, not diffed line by line. */
export const MAX_DIFFED_FILE_BYTES = 1024 * 1024;

/**
 * A unified diff of the changes, for a person to review: text files line by line (git-style
 * `a/` and `b/` names), binary or large ones as a one-line notice, mode changes noted.
 */
export async function renderPatch(blobs: BlobStore, changes: readonly SnapshotChange[]): Promise<string> {
  const parts: string[] = [];
  for (const change of changes) {
    const name = change.path.slice(1);
    const sizes = [change.before?.size ?? 0, change.after?.size ?? 0];
    const [before, after] = await Promise.all([textOf(blobs, change.before?.ref, sizes[0]!), textOf(blobs, change.after?.ref, sizes[1]!)]);
    const header = `diff --git a/${name} b/${name}\n`;
    const modeLine = change.kind === 'added' ? `new file mode 100${octal(change.after!.mode)}\n` : change.kind === 'deleted' ? `deleted file mode 100${octal(change.before!.mode)}\n` : '';
    const modeChange = change.kind === 'modified' && change.before!.mode !== change.after!.mode ? `old mode 100${octal(change.before!.mode)}\nnew mode 100${octal(change.after!.mode)}\n` : '';
    if (before === undefined || after === undefined) {
      parts.push(`${header}${modeLine}${modeChange}Binary or large files a/${name} and b/${name} differ\n`);
      continue;
    }
    if (before === after) {
      parts.push(`${header}${modeChange}`);
      continue;
    }
    const patch = createTwoFilesPatch(change.kind === 'added' ? '/dev/null' : `a/${name}`, change.kind === 'deleted' ? '/dev/null' : `b/${name}`, before, after, undefined, undefined, { context: 3 });
    // The `diff` package starts with an `Index:`/`===` preamble; git's header replaces it.
    parts.push(`${header}${modeLine}${modeChange}${patch.slice(patch.indexOf('--- '))}`);
  }
  return parts.join('');
}

/** The file's text; undefined when it is binary (not UTF-8, or has NUL) or too large to diff. */
async function textOf(blobs: BlobStore, ref: BlobRef | undefined, size: number): Promise<string | undefined> {
  if (ref === undefined) return '';
  if (size > MAX_DIFFED_FILE_BYTES) return undefined;
  const bytes = await blobs.get(ref);
  if (bytes === undefined) throw new LightspeedError('not_found', `blob ${ref} of a changed file is not in this store`, { ref });
  try {
    const text = utf8.decode(bytes);
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined; // not UTF-8: binary
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function octal(mode: number): string {
  return mode.toString(8);
}
