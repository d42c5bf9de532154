import { normalizePath, relativeTo } from '@lightspeed/vfs';
import picomatch from 'picomatch';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface GlobArgs {
  pattern: string;
  path?: string;
  limit?: number;
}

const DEFAULT_LIMIT = 1000;

/** Files matching a glob (`**\/*.ts`, `src/*.{js,json}`), relative to `path`, sorted by path. */
export const globTool: LogicalTool<GlobArgs> = {
  logical: 'vfs.glob',
  parallelism: 'parallelSafe',
  async run(args, env) {
    const base = normalizePath(args.path ?? '/');
    const files = env.files();
    const info = await files.stat(base);
    if (!info) return fail(`Directory does not exist: ${base}.`);
    if (info.type !== 'dir') return fail(`${base} is a file; glob searches a directory.`);
    const pattern = args.pattern.startsWith('/') ? relativeGlob(args.pattern, base) : args.pattern;
    if (pattern === undefined) return fail(`The pattern ${args.pattern} is absolute but not inside ${base}.`);
    const matches = picomatch(pattern, { dot: true });
    const found: string[] = [];
    for await (const entry of files.walk(base)) {
      if (entry.type !== 'file') continue;
      if (matches(relativeTo(entry.path, base).slice(1))) found.push(entry.path);
    }
    if (found.length === 0) return ok(`No files match ${args.pattern} under ${base}.`);
    found.sort();
    const limit = args.limit ?? DEFAULT_LIMIT;
    const notice = found.length > limit ? `\n[${found.length - limit} more matches not shown; narrow the pattern]` : '';
    return ok(found.slice(0, limit).join('\n') + notice);
  },
};

function relativeGlob(pattern: string, base: string): string | undefined {
  const prefix = base === '/' ? '/' : `${base}/`;
  return pattern.startsWith(prefix) ? pattern.slice(prefix.length) : undefined;
}
