import type { FakeScript } from './script.js';

/**
 * Scripts that make a real coding-agent CLI, pointed at the fake, write a file and then edit it
 * through its own tools, and end with a final message — one script per model request, in order
 * (enqueue them). Tool names and argument shapes are the CLIs' own: Claude Code 2.x's `Write` and
 * `Edit` (absolute `file_path`), Codex 0.17x's `exec_command` function (a shell command; its
 * `apply_patch` heredoc is intercepted by Codex and applied as a patch, reported as a file change).
 */
export interface WriteEditScriptOptions {
  /** The file as the CLI names it: absolute for Claude Code, relative to its working directory for Codex. */
  path: string;
  before?: string;
  after?: string;
  finalMessage?: string;
}

const defaults = (options: WriteEditScriptOptions): Required<WriteEditScriptOptions> => ({
  before: 'hello',
  after: 'hello, edited',
  finalMessage: `Done: wrote and edited ${options.path}`,
  ...options,
});

export function claudeCodeWriteEditScripts(options: WriteEditScriptOptions): FakeScript[] {
  const o = defaults(options);
  return [
    { text: `Writing ${o.path}.`, toolCalls: [{ name: 'Write', arguments: { file_path: o.path, content: `${o.before}\n` } }] },
    { toolCalls: [{ name: 'Edit', arguments: { file_path: o.path, old_string: o.before, new_string: o.after } }] },
    { text: o.finalMessage },
  ];
}

/** Shell-quotes for `/bin/sh`. */
const quote = (text: string): string => `'${text.split("'").join(`'\\''`)}'`;

export function codexWriteEditScripts(options: WriteEditScriptOptions): FakeScript[] {
  const o = defaults(options);
  const patch = ['*** Begin Patch', `*** Update File: ${o.path}`, '@@', `-${o.before}`, `+${o.after}`, '*** End Patch'].join('\n');
  return [
    { text: `Writing ${o.path}.`, toolCalls: [{ name: 'exec_command', arguments: { cmd: `printf '%s\\n' ${quote(o.before)} > ${quote(o.path)}` } }] },
    { toolCalls: [{ name: 'exec_command', arguments: { cmd: `apply_patch <<'EOF'\n${patch}\nEOF` } }] },
    { text: o.finalMessage },
  ];
}
