import { resolvePath } from '@lightspeed/vfs';
import { globTool } from '../file-tools/glob-files.js';
import { grepTool } from '../file-tools/grep-files.js';
import { listTool } from '../file-tools/list-dir.js';
import { readTool } from '../file-tools/read-file.js';
import { execTool } from '../host/exec-tool.js';
import { applyPatchTool } from '../patch/apply-patch-tool.js';
import { field } from '../tool-input.js';
import { webFetchTool } from '../web/web-fetch-tool.js';
import { defineTool, objectSchema, type ProviderTool, type ToolGroups } from './provider-tool.js';

const APPLY_PATCH_DESCRIPTION = `Use the \`apply_patch\` tool to edit files.
Your patch language is a stripped-down, file-oriented diff format designed to be easy to parse and safe to apply. You can think of it as a high-level envelope:

*** Begin Patch
[ one or more file sections ]
*** End Patch

Within that envelope, you get a sequence of file operations.
You MUST include a header to specify the action you are taking.
Each operation starts with one of three headers:

*** Add File: <path> - create a new file. Every following line is a + line (the initial contents).
*** Delete File: <path> - remove an existing file. Nothing follows.
*** Update File: <path> - patch an existing file in place (optionally with a rename).

May be immediately followed by *** Move to: <new path> if you want to rename the file.
Then one or more "hunks", each introduced by @@ (optionally followed by a hunk header such as a class or function line).
Within a hunk each line starts with " " (context), "-" (removed) or "+" (added). Show 3 lines of context above and below each change.
Use *** End of File after a hunk that must match the end of the file.

Paths are relative to the working directory (or absolute). The patch is applied atomically: if any hunk does not apply, no file is changed.`;

/** The tool shapes OpenAI models are trained on (Codex CLI): apply_patch, read_file, list_dir, grep_files, shell_command. */
export function openaiTools(groups: ToolGroups): ProviderTool[] {
  const tools: ProviderTool[] = [];
  if (groups.read) {
    tools.push(
      defineTool({
        name: 'read_file',
        description: 'Reads a local file with 1-indexed line numbers. Use offset/limit to page through long files.',
        inputSchema: objectSchema(
          {
            file_path: { type: 'string', description: 'Absolute path to the file' },
            offset: { type: 'number', description: 'The line number to start reading from. Must be 1 or greater.' },
            limit: { type: 'number', description: 'The maximum number of lines to return.' },
          },
          ['file_path'],
        ),
        tool: readTool,
        parse: (a, c) => ({ path: resolvePath(c.cwd, field.string(a, 'file_path')), offset: field.optionalInt(a, 'offset', 1), limit: field.optionalInt(a, 'limit', 1) }),
      }),
      defineTool({
        name: 'list_dir',
        description: 'Lists entries in a local directory with simple type labels (directories end with "/").',
        inputSchema: objectSchema(
          {
            dir_path: { type: 'string', description: 'Absolute path to the directory to list.' },
            offset: { type: 'number', description: 'The entry number to start listing from. Must be 1 or greater.' },
            limit: { type: 'number', description: 'The maximum number of entries to return.' },
            depth: { type: 'number', description: 'The maximum directory depth to traverse. Must be 1 or greater.' },
          },
          ['dir_path'],
        ),
        tool: listTool,
        parse: (a, c) => ({
          path: resolvePath(c.cwd, field.string(a, 'dir_path')),
          offset: field.optionalInt(a, 'offset', 1),
          limit: field.optionalInt(a, 'limit', 1),
          depth: field.optionalInt(a, 'depth', 1, 20) ?? 2,
        }),
      }),
      defineTool({
        name: 'grep_files',
        description: 'Finds files whose contents match the pattern and lists them by path.',
        inputSchema: objectSchema(
          {
            pattern: { type: 'string', description: 'Regular expression pattern to search for.' },
            include: { type: 'string', description: 'Optional glob that limits which files are searched (e.g. "*.rs" or "*.{ts,tsx}").' },
            path: { type: 'string', description: 'Directory or file path to search. Defaults to the working directory.' },
            limit: { type: 'number', description: 'Maximum number of file paths to return (defaults to 100).' },
          },
          ['pattern'],
        ),
        tool: grepTool,
        parse: (a, c) => {
          const path = field.optionalString(a, 'path');
          return {
            pattern: field.string(a, 'pattern'),
            glob: field.optionalString(a, 'include'),
            path: path === undefined ? c.cwd : resolvePath(c.cwd, path),
            outputMode: 'files_with_matches' as const,
            headLimit: field.optionalInt(a, 'limit', 1, 2000) ?? 100,
          };
        },
      }),
      defineTool({
        name: 'glob_files',
        description: 'Finds files whose paths match a glob pattern (e.g. "**/*.py"), relative to path.',
        inputSchema: objectSchema(
          {
            pattern: { type: 'string', description: 'Glob pattern to match.' },
            path: { type: 'string', description: 'Directory to search. Defaults to the working directory.' },
          },
          ['pattern'],
        ),
        tool: globTool,
        parse: (a, c) => {
          const path = field.optionalString(a, 'path');
          return { pattern: field.string(a, 'pattern'), path: path === undefined ? c.cwd : resolvePath(c.cwd, path) };
        },
      }),
    );
  }
  if (groups.edit) {
    tools.push(
      defineTool({
        name: 'apply_patch',
        description: APPLY_PATCH_DESCRIPTION,
        inputSchema: objectSchema({ input: { type: 'string', description: 'The entire contents of the apply_patch command' } }, ['input']),
        tool: applyPatchTool,
        parse: (a, c) => ({ patch: field.string(a, 'input'), cwd: c.cwd }),
      }),
    );
  }
  if (groups.exec) {
    tools.push(
      defineTool({
        name: 'shell_command',
        description: 'Runs a shell script in /bin/sh and returns its output. Always set workdir; do not use cd unless necessary.',
        inputSchema: objectSchema(
          {
            command: { type: 'string', description: 'The shell script to execute' },
            workdir: { type: 'string', description: 'The working directory to execute the command in' },
            timeout_ms: { type: 'number', description: 'The timeout for the command in milliseconds' },
          },
          ['command'],
        ),
        tool: execTool,
        parse: (a, c) => {
          const workdir = field.optionalString(a, 'workdir');
          return { command: field.string(a, 'command'), workdir: workdir === undefined ? c.cwd : resolvePath(c.cwd, workdir), timeoutMs: field.optionalInt(a, 'timeout_ms', 1) };
        },
      }),
    );
  }
  if (groups.webFetch) {
    tools.push(
      defineTool({
        name: 'web_fetch',
        description: 'Fetches a URL and returns its content as readable text (HTML converted to text). Only public internet addresses can be fetched.',
        inputSchema: objectSchema({ url: { type: 'string', description: 'The http(s) URL to fetch' } }, ['url']),
        tool: webFetchTool,
        parse: (a) => ({ url: field.string(a, 'url') }),
      }),
    );
  }
  return tools;
}
