import vm from 'node:vm';

const SEARCH_SOURCE = `
(function () {
  const lines = text.split(/\\r?\\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (!multiline) {
    const hits = [];
    for (let i = 0; i < lines.length; i++) if (re.test(lines[i])) hits.push(i);
    return hits;
  }
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  const lineOf = (offset) => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= offset) lo = mid; else hi = mid - 1; }
    return lo;
  };
  const set = new Set();
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    const first = lineOf(m.index);
    const last = lineOf(m.index + Math.max(0, m[0].length - 1));
    for (let l = first; l <= last && l < lines.length; l++) set.add(l);
  }
  return [...set].sort((a, b) => a - b);
})()`;

export class RegexTimeoutError extends Error {
  constructor(readonly ms: number) {
    super(`the regular expression took longer than ${ms} ms on one file (catastrophic backtracking?); simplify the pattern`);
    this.name = 'RegexTimeoutError';
  }
}

/**
 * Runs a model-supplied regular expression inside a V8 context with an execution timeout. A
 * pattern like `(a+)+$` can backtrack for minutes on one line, and a regex cannot be interrupted
 * on the main thread; `vm`'s timeout terminates it.
 */
export class RegexMatcher {
  private readonly context: vm.Context;
  private readonly script = new vm.Script(SEARCH_SOURCE);

  constructor(
    pattern: string,
    flags: { caseInsensitive: boolean; multiline: boolean },
    private readonly timeoutMs = 1000,
  ) {
    // Compile here first so a syntax error surfaces as a normal SyntaxError with its message.
    const compiled = new RegExp(pattern, `${flags.caseInsensitive ? 'i' : ''}${flags.multiline ? 'gms' : ''}`);
    this.context = vm.createContext({ text: '', multiline: flags.multiline, source: compiled.source, flags: compiled.flags });
    vm.runInContext('var re = new RegExp(source, flags);', this.context);
  }

  /** Indices (0-based) of the lines that match. */
  matchingLines(text: string): number[] {
    this.context.text = text;
    try {
      return this.script.runInContext(this.context, { timeout: this.timeoutMs }) as number[];
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw new RegexTimeoutError(this.timeoutMs);
      throw error;
    } finally {
      this.context.text = '';
    }
  }
}
