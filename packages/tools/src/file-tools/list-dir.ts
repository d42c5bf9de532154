import { joinSegments, normalizePath, pathSegments } from '@lightspeed/vfs';
import picomatch from 'picomatch';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface ListArgs {
  path: string;
  /** Levels to descend (1 = only direct children). */
  depth?: number;
  /** 1-based index of the first entry to show. */
  offset?: number;
  limit?: number;
  ignore?: string[];
}

const DEFAULT_LIMIT = 500;

/** Lists a directory as an indented tree, directories marked with `/`. */
export const listTool: LogicalTool<ListArgs> = {
  logical: 'vfs.list',
  parallelism: 'parallelSafe',
  async run(args, env) {
    const base = normalizePath(args.path);
    const files = env.files();
    const info = await files.stat(base);
    if (!info) return fail(`Directory does not exist: ${base}.`);
    if (info.type !== 'dir') return fail(`${base} is a file, not a directory. Use the read tool.`);
    const depth = args.depth ?? 1;
    const ignored = args.ignore?.length ? picomatch(args.ignore, { dot: true, basename: true }) : undefined;
    const lines: string[] = [];
    const visit = async (dir: string, level: number): Promise<void> => {
      for (const entry of await files.list(dir)) {
        if (ignored?.(entry.name)) continue;
        const child = joinSegments([...pathSegments(dir), entry.name]);
        const indent = '  '.repeat(level);
        lines.push(entry.type === 'dir' ? `${indent}${entry.name}/` : `${indent}${entry.name}${entry.size !== undefined ? ` (${entry.size} bytes)` : ''}`);
        if (entry.type === 'dir' && level + 1 < depth) await visit(child, level + 1);
      }
    };
    await visit(base, 0);
    const start = (args.offset ?? 1) - 1;
    const limit = args.limit ?? DEFAULT_LIMIT;
    const shown = lines.slice(start, start + limit);
    const header = `${base}${base.endsWith('/') ? '' : '/'}`;
    if (lines.length === 0) return ok(`${header}\n(empty directory)`);
    const more = lines.length - (start + shown.length);
    const notice = more > 0 ? `\n[${more} more entries not shown; pass offset ${start + shown.length + 1} to continue]` : '';
    return ok(`${header}\n${shown.map((l) => `  ${l}`).join('\n')}${notice}`);
  },
};
