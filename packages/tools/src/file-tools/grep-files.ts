import { normalizePath, relativeTo } from '@lightspeed/vfs';
import picomatch from 'picomatch';
import { capText, decodeText, splitLines } from '../files/text-content.js';
import { fail, ok, type LogicalTool } from '../tool-definition.js';
import { RegexMatcher, RegexTimeoutError } from './regex-matcher.js';

export type GrepOutputMode = 'content' | 'files_with_matches' | 'count';

export interface GrepArgs {
  pattern: string;
  path?: string;
  /** Glob filter on file paths (a pattern without `/` matches the file name). */
  glob?: string;
  outputMode?: GrepOutputMode;
  caseInsensitive?: boolean;
  lineNumbers?: boolean;
  before?: number;
  after?: number;
  multiline?: boolean;
  /** Only the first N output lines / entries. */
  headLimit?: number;
}

export const GREP_LIMITS = { maxFileBytes: 5 * 1024 * 1024, maxLineChars: 500, maxOutputChars: 50_000, defaultHeadLimit: 1000, regexTimeoutMs: 1000 };

/** Regex search over files, shaped like ripgrep's three output modes. */
export const grepTool: LogicalTool<GrepArgs> = {
  logical: 'vfs.grep',
  parallelism: 'parallelSafe',
  async run(args, env) {
    let matcher: RegexMatcher;
    try {
      matcher = new RegexMatcher(args.pattern, { caseInsensitive: args.caseInsensitive === true, multiline: args.multiline === true }, GREP_LIMITS.regexTimeoutMs);
    } catch (error) {
      return fail(`Invalid regular expression ${JSON.stringify(args.pattern)}: ${(error as Error).message}. JavaScript regex syntax is used.`);
    }
    const base = normalizePath(args.path ?? '/');
    const files = env.files();
    const info = await files.stat(base);
    if (!info) return fail(`Path does not exist: ${base}.`);
    const globMatch = args.glob ? picomatch(args.glob, { dot: true, basename: !args.glob.includes('/') }) : undefined;
    const mode = args.outputMode ?? 'files_with_matches';
    const headLimit = args.headLimit ?? GREP_LIMITS.defaultHeadLimit;
    const out: string[] = [];
    let limited = false;
    let skippedLarge = 0;

    const candidates: { path: string; size: number }[] = [];
    if (info.type === 'file') candidates.push({ path: base, size: info.size });
    else {
      for await (const entry of files.walk(base)) {
        if (entry.type !== 'file') continue;
        if (globMatch && !globMatch(relativeTo(entry.path, base).slice(1))) continue;
        candidates.push({ path: entry.path, size: entry.size });
      }
    }

    for (const file of candidates) {
      if (out.length >= headLimit) {
        limited = true;
        break;
      }
      env.signal?.throwIfAborted();
      if (file.size > GREP_LIMITS.maxFileBytes) {
        skippedLarge += 1;
        continue;
      }
      const text = decodeText(await files.readFile(file.path));
      if (text === undefined) continue;
      const lines = splitLines(text);
      let matched: number[];
      try {
        matched = matcher.matchingLines(text);
      } catch (error) {
        if (error instanceof RegexTimeoutError) return fail(`${error.message} (stopped in ${file.path}).`);
        throw error;
      }
      if (matched.length === 0) continue;
      if (mode === 'files_with_matches') out.push(file.path);
      else if (mode === 'count') out.push(`${file.path}:${matched.length}`);
      else {
        const shown = withContext(matched, lines.length, args.before ?? 0, args.after ?? 0);
        const hits = new Set(matched);
        let previous = -2;
        for (const i of shown) {
          if (previous >= 0 && i > previous + 1) out.push('--');
          previous = i;
          let line = lines[i]!;
          if (line.length > GREP_LIMITS.maxLineChars) line = `${line.slice(0, GREP_LIMITS.maxLineChars)}… [line truncated]`;
          const sep = hits.has(i) ? ':' : '-';
          out.push(args.lineNumbers === false ? `${file.path}${sep}${line}` : `${file.path}${sep}${i + 1}${sep}${line}`);
        }
      }
    }
    if (out.length > headLimit) {
      out.length = headLimit;
      limited = true;
    }
    const notes: string[] = [];
    if (limited) notes.push(`[results limited to ${headLimit} ${mode === 'content' ? 'lines' : 'entries'}; narrow the pattern, path or glob to see the rest]`);
    if (skippedLarge > 0) notes.push(`[${skippedLarge} files above ${GREP_LIMITS.maxFileBytes} bytes were not searched]`);
    if (out.length === 0) return ok(['No matches found.', ...notes].join('\n'));
    return ok(capText([...out, ...notes].join('\n'), GREP_LIMITS.maxOutputChars, 'narrow the pattern, path or glob, or use head_limit'));
  },
};

function withContext(matched: readonly number[], total: number, before: number, after: number): number[] {
  const set = new Set<number>();
  for (const i of matched) for (let j = Math.max(0, i - before); j <= Math.min(total - 1, i + after); j++) set.add(j);
  return [...set].sort((a, b) => a - b);
}
