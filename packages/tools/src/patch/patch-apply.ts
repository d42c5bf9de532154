import { LightspeedError } from '@lightspeed/ports';
import type { PatchChunk } from './patch-format.js';

export class PatchConflictError extends LightspeedError {
  constructor(message: string) {
    super('conflict', `patch does not apply: ${message}`);
    this.name = 'PatchConflictError';
  }
}

/**
 * Applies update chunks to a file's text. Chunks are located in order; each match is tried exactly,
 * then ignoring trailing whitespace, then ignoring surrounding whitespace (models often get
 * indentation of context lines slightly wrong). All chunks must match or nothing is returned.
 */
export function applyChunks(path: string, original: string, chunks: readonly PatchChunk[]): string {
  const hadTrailingNewline = original.endsWith('\n');
  const lines = original === '' ? [] : original.replace(/\r\n/g, '\n').split('\n');
  if (hadTrailingNewline) lines.pop();

  const replacements: { start: number; length: number; newLines: string[] }[] = [];
  let cursor = 0;
  for (const [index, chunk] of chunks.entries()) {
    if (chunk.anchor !== undefined) {
      const at = findSequence(lines, [chunk.anchor], cursor, false);
      if (at === -1) throw new PatchConflictError(`chunk ${index + 1} of ${path}: the anchor line ${JSON.stringify(chunk.anchor)} was not found`);
      cursor = at + 1;
    }
    if (chunk.oldLines.length === 0) {
      // Pure insertion: at the end of the file, or right after the anchor.
      const at = chunk.anchor === undefined || chunk.endOfFile ? lines.length : cursor;
      replacements.push({ start: at, length: 0, newLines: chunk.newLines });
      cursor = at;
      continue;
    }
    let old = chunk.oldLines;
    let at = findSequence(lines, old, cursor, chunk.endOfFile);
    // A trailing empty context line often stands for the file's final newline.
    if (at === -1 && old[old.length - 1] === '') {
      old = old.slice(0, -1);
      at = findSequence(lines, old, cursor, chunk.endOfFile);
      if (at !== -1) {
        replacements.push({ start: at, length: old.length, newLines: chunk.newLines[chunk.newLines.length - 1] === '' ? chunk.newLines.slice(0, -1) : chunk.newLines });
        cursor = at + old.length;
        continue;
      }
    }
    if (at === -1) {
      const excerpt = chunk.oldLines.slice(0, 3).join('\n');
      throw new PatchConflictError(`chunk ${index + 1} of ${path}: these lines were not found${cursor > 0 ? ` after line ${cursor}` : ''}:\n${excerpt}\nRead the file again and regenerate the patch against its current content.`);
    }
    replacements.push({ start: at, length: old.length, newLines: chunk.newLines });
    cursor = at + old.length;
  }

  const out = [...lines];
  for (const r of [...replacements].sort((a, b) => b.start - a.start)) out.splice(r.start, r.length, ...r.newLines);
  if (out.length === 0) return '';
  return `${out.join('\n')}\n`;
}

const normalisers: ((s: string) => string)[] = [(s) => s, (s) => s.trimEnd(), (s) => s.trim()];

function findSequence(lines: readonly string[], needle: readonly string[], from: number, atEnd: boolean): number {
  if (needle.length === 0) return from;
  for (const norm of normalisers) {
    const target = needle.map(norm);
    const starts = atEnd ? [lines.length - needle.length] : range(from, lines.length - needle.length);
    for (const start of starts) {
      if (start < from) continue;
      let match = true;
      for (let k = 0; k < target.length; k++) {
        if (norm(lines[start + k]!) !== target[k]) {
          match = false;
          break;
        }
      }
      if (match) return start;
    }
  }
  return -1;
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}
