import { LightspeedError } from '@lightspeed/ports';
import { normalizePath } from '@lightspeed/vfs';
import { capText, decodeText, splitLines } from '../files/text-content.js';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface ReadArgs {
  path: string;
  /** 1-based first line. */
  offset?: number;
  limit?: number;
}

export const READ_LIMITS = { defaultLines: 2000, maxLineChars: 2000, maxFileBytes: 10 * 1024 * 1024, maxOutputChars: 200_000 };

/** Reads a text file as numbered lines (`cat -n` style), a line range at a time. */
export const readTool: LogicalTool<ReadArgs> = {
  logical: 'vfs.read',
  parallelism: 'parallelSafe',
  async run(args, env) {
    const path = normalizePath(args.path);
    const files = env.files();
    const info = await files.stat(path);
    if (!info) return fail(`File does not exist: ${path}. List the directory to find the right name.`);
    if (info.type === 'dir') return fail(`${path} is a directory, not a file. Use the list tool to see its entries.`);
    if (info.size > READ_LIMITS.maxFileBytes) {
      return fail(`${path} is ${info.size} bytes, above the ${READ_LIMITS.maxFileBytes}-byte read cap. Use grep to find the lines you need.`);
    }
    const bytes = await files.readFile(path);
    const text = decodeText(bytes);
    if (text === undefined) return ok(`${path} is a binary file (${bytes.byteLength} bytes); its content is not shown.`);
    const lines = splitLines(text);
    if (lines.length === 0) return ok(`${path} is empty.`);
    const start = (args.offset ?? 1) - 1;
    if (start >= lines.length) return fail(`${path} has ${lines.length} lines; offset ${args.offset} is past the end.`);
    const end = Math.min(lines.length, start + (args.limit ?? READ_LIMITS.defaultLines));
    const out: string[] = [];
    for (let i = start; i < end; i++) {
      let line = lines[i]!;
      if (line.length > READ_LIMITS.maxLineChars) line = `${line.slice(0, READ_LIMITS.maxLineChars)}… [line truncated]`;
      out.push(`${String(i + 1).padStart(6)}\t${line}`);
    }
    if (end < lines.length || start > 0) out.push(`[showing lines ${start + 1}-${end} of ${lines.length}; pass offset/limit to read other lines]`);
    return ok(capText(out.join('\n'), READ_LIMITS.maxOutputChars, 'pass a smaller limit'));
  },
};

export function isNotFound(error: unknown): boolean {
  return error instanceof LightspeedError && error.code === 'not_found';
}
