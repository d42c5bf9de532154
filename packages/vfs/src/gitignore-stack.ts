import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

interface IgnoreLevel {
  /** Directory of the `.gitignore`, relative to the import root (`''` for the root). */
  base: string;
  rules: Ignore;
}

/**
 * `.gitignore` semantics across nesting: each file's patterns apply to paths relative to its own
 * directory, and deeper files are consulted after shallower ones (a deeper negation can re-include).
 */
export class GitignoreStack {
  private constructor(private readonly levels: readonly IgnoreLevel[]) {}

  static empty(): GitignoreStack {
    return new GitignoreStack([]);
  }

  /** The stack for a directory: this one plus the directory's own `.gitignore`, if any. */
  async enter(absDir: string, relDir: string): Promise<GitignoreStack> {
    let text: string;
    try {
      text = await readFile(join(absDir, '.gitignore'), 'utf8');
    } catch {
      return this;
    }
    return new GitignoreStack([...this.levels, { base: relDir, rules: ignore().add(text) }]);
  }

  ignores(relPath: string, isDir: boolean): boolean {
    let ignored = false;
    for (const level of this.levels) {
      const local = level.base === '' ? relPath : relPath.slice(level.base.length + 1);
      const candidate = isDir ? `${local}/` : local;
      const result = level.rules.test(candidate);
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  }
}
