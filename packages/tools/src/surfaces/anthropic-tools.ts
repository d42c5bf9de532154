import { resolvePath } from '@lightspeed/vfs';
import { editTool } from '../file-tools/edit-file.js';
import { globTool } from '../file-tools/glob-files.js';
import { grepTool } from '../file-tools/grep-files.js';
import { listTool } from '../file-tools/list-dir.js';
import { readTool } from '../file-tools/read-file.js';
import { writeTool } from '../file-tools/write-file.js';
import { execTool } from '../host/exec-tool.js';
import { field, ToolInputError } from '../tool-input.js';
import { webFetchTool } from '../web/web-fetch-tool.js';
import { defineTool, objectSchema, type ProviderTool, type ToolGroups } from './provider-tool.js';

/** Claude-Code-shaped tools: the names and argument shapes Anthropic models are trained on. */
export function anthropicTools(groups: ToolGroups): ProviderTool[] {
  const tools: ProviderTool[] = [];
  if (groups.read) {
    tools.push(
      defineTool({
        name: 'Read',
        description:
          'Reads a file. file_path must be an absolute path. By default reads up to 2000 lines from the start; pass offset (1-based line) and limit for long files. Lines are returned numbered (cat -n format). Binary files are detected and not shown.',
        inputSchema: objectSchema(
          {
            file_path: { type: 'string', description: 'The absolute path to the file to read' },
            offset: { type: 'number', description: 'The line number to start reading from' },
            limit: { type: 'number', description: 'The number of lines to read' },
          },
          ['file_path'],
        ),
        tool: readTool,
        parse: (a, c) => ({ path: resolvePath(c.cwd, field.string(a, 'file_path')), offset: field.optionalInt(a, 'offset', 1), limit: field.optionalInt(a, 'limit', 1) }),
      }),
      defineTool({
        name: 'Grep',
        description:
          'Searches file contents with a regular expression (JavaScript syntax). Filter files with glob (e.g. "*.ts", "**/*.{ts,tsx}"). output_mode: "files_with_matches" (default) lists files, "content" shows matching lines (supports -A/-B/-C context and -n line numbers), "count" shows match counts. head_limit caps the output.',
        inputSchema: objectSchema(
          {
            pattern: { type: 'string', description: 'The regular expression pattern to search for in file contents' },
            path: { type: 'string', description: 'File or directory to search in. Defaults to the working directory.' },
            glob: { type: 'string', description: 'Glob pattern to filter files (e.g. "*.js", "*.{ts,tsx}")' },
            output_mode: { type: 'string', enum: ['content', 'files_with_matches', 'count'], description: 'Output mode; defaults to files_with_matches' },
            '-B': { type: 'number', description: 'Lines of context before each match (content mode)' },
            '-A': { type: 'number', description: 'Lines of context after each match (content mode)' },
            '-C': { type: 'number', description: 'Lines of context before and after each match (content mode)' },
            '-n': { type: 'boolean', description: 'Show line numbers (content mode); defaults to true' },
            '-i': { type: 'boolean', description: 'Case insensitive search' },
            head_limit: { type: 'number', description: 'Limit output to the first N lines/entries' },
            multiline: { type: 'boolean', description: 'Let patterns span lines (. matches newlines)' },
          },
          ['pattern'],
        ),
        tool: grepTool,
        parse: (a, c) => {
          const context = field.optionalInt(a, '-C', 0, 1000);
          const path = field.optionalString(a, 'path');
          return {
            pattern: field.string(a, 'pattern'),
            path: path === undefined ? c.cwd : resolvePath(c.cwd, path),
            glob: field.optionalString(a, 'glob'),
            outputMode: field.optionalEnum(a, 'output_mode', ['content', 'files_with_matches', 'count'] as const),
            before: field.optionalInt(a, '-B', 0, 1000) ?? context,
            after: field.optionalInt(a, '-A', 0, 1000) ?? context,
            lineNumbers: field.optionalBool(a, '-n'),
            caseInsensitive: field.optionalBool(a, '-i'),
            headLimit: field.optionalInt(a, 'head_limit', 1),
            multiline: field.optionalBool(a, 'multiline'),
          };
        },
      }),
      defineTool({
        name: 'Glob',
        description: 'Finds files by name with a glob pattern such as "**/*.js" or "src/**/*.ts". Returns matching file paths sorted by path.',
        inputSchema: objectSchema(
          {
            pattern: { type: 'string', description: 'The glob pattern to match files against' },
            path: { type: 'string', description: 'The directory to search in. Defaults to the working directory.' },
          },
          ['pattern'],
        ),
        tool: globTool,
        parse: (a, c) => {
          const path = field.optionalString(a, 'path');
          return { pattern: field.string(a, 'pattern'), path: path === undefined ? c.cwd : resolvePath(c.cwd, path) };
        },
      }),
      defineTool({
        name: 'LS',
        description: 'Lists files and directories in a directory. path must be absolute. Optionally ignore names matching glob patterns.',
        inputSchema: objectSchema(
          {
            path: { type: 'string', description: 'The absolute path to the directory to list' },
            ignore: { type: 'array', items: { type: 'string' }, description: 'List of glob patterns to ignore' },
          },
          ['path'],
        ),
        tool: listTool,
        parse: (a, c) => ({ path: resolvePath(c.cwd, field.string(a, 'path')), ignore: field.optionalStringArray(a, 'ignore') }),
      }),
    );
  }
  if (groups.edit) {
    tools.push(
      defineTool({
        name: 'Write',
        description: 'Writes a file, creating it or overwriting it entirely. file_path must be absolute. Prefer Edit for changing existing files.',
        inputSchema: objectSchema(
          {
            file_path: { type: 'string', description: 'The absolute path to the file to write' },
            content: { type: 'string', description: 'The content to write to the file' },
          },
          ['file_path', 'content'],
        ),
        tool: writeTool,
        parse: (a, c) => ({ path: resolvePath(c.cwd, field.string(a, 'file_path')), content: field.string(a, 'content') }),
      }),
      defineTool({
        name: 'Edit',
        description:
          'Performs an exact string replacement in a file. old_string must match the file exactly (including indentation) and be unique unless replace_all is true. The edit fails if old_string is not found or is not unique.',
        inputSchema: objectSchema(
          {
            file_path: { type: 'string', description: 'The absolute path to the file to modify' },
            old_string: { type: 'string', description: 'The text to replace' },
            new_string: { type: 'string', description: 'The text to replace it with (must be different from old_string)' },
            replace_all: { type: 'boolean', default: false, description: 'Replace all occurrences of old_string (default false)' },
          },
          ['file_path', 'old_string', 'new_string'],
        ),
        tool: editTool,
        parse: (a, c) => ({
          path: resolvePath(c.cwd, field.string(a, 'file_path')),
          oldString: field.string(a, 'old_string'),
          newString: field.string(a, 'new_string'),
          replaceAll: field.optionalBool(a, 'replace_all') ?? false,
        }),
      }),
    );
  }
  if (groups.exec) {
    tools.push(
      defineTool({
        name: 'Bash',
        description: 'Executes a shell command in the working directory with a timeout (default 120000 ms, max 600000 ms). Output is truncated when very long.',
        inputSchema: objectSchema(
          {
            command: { type: 'string', description: 'The command to execute' },
            timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
            description: { type: 'string', description: 'Clear, concise description of what this command does in 5-10 words' },
          },
          ['command'],
        ),
        tool: execTool,
        parse: (a, c) => ({ command: field.string(a, 'command'), timeoutMs: field.optionalInt(a, 'timeout', 1, 600_000), workdir: c.cwd }),
      }),
    );
  }
  if (groups.webFetch) {
    tools.push(
      defineTool({
        name: 'WebFetch',
        description: 'Fetches a URL and returns its content as readable text (HTML is converted). Only public internet addresses can be fetched.',
        inputSchema: objectSchema(
          {
            url: { type: 'string', format: 'uri', description: 'The URL to fetch content from' },
            prompt: { type: 'string', description: 'What you are looking for on the page' },
          },
          ['url'],
        ),
        tool: webFetchTool,
        parse: (a) => {
          const url = field.string(a, 'url');
          if (url.length > 8192) throw new ToolInputError('`url` is too long');
          return { url };
        },
      }),
    );
  }
  return tools;
}
