import { normalizePath } from '@lightspeed/vfs';
import { decodeText } from '../files/text-content.js';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface EditArgs {
  path: string;
  oldString: string;
  newString: string;
  replaceAll?: boolean;
}

/**
 * Exact string replacement. The old string must occur exactly once unless `replaceAll`; an empty
 * old string creates a file that does not exist yet.
 */
export const editTool: LogicalTool<EditArgs> = {
  logical: 'vfs.edit',
  parallelism: 'exclusive',
  async run(args, env) {
    const path = normalizePath(args.path);
    const files = env.files();
    const info = await files.stat(path);
    if (args.oldString === args.newString) return fail('old_string and new_string are identical; there is nothing to change.');
    if (!info) {
      if (args.oldString !== '') return fail(`File does not exist: ${path}. To create it, use an empty old_string (or the write tool).`);
      await files.commit([{ op: 'write', path, content: new TextEncoder().encode(args.newString) }]);
      return ok(`Created ${path}.`, [{ kind: 'vfs.write', data: { path } }]);
    }
    if (info.type === 'dir') return fail(`${path} is a directory, not a file.`);
    if (args.oldString === '') return fail(`${path} already exists; old_string must not be empty when editing an existing file.`);
    const text = decodeText(await files.readFile(path));
    if (text === undefined) return fail(`${path} is a binary file; it cannot be edited as text.`);
    const count = countOccurrences(text, args.oldString);
    if (count === 0) return fail(`old_string was not found in ${path}. Read the file and copy the exact text, including whitespace and indentation.`);
    if (count > 1 && !args.replaceAll) {
      return fail(`old_string occurs ${count} times in ${path}. Include more surrounding context to make it unique, or set replace_all to change every occurrence.`);
    }
    const next = args.replaceAll ? text.split(args.oldString).join(args.newString) : text.replace(args.oldString, () => args.newString);
    await files.commit([{ op: 'write', path, content: new TextEncoder().encode(next) }]);
    return ok(`Edited ${path}: replaced ${args.replaceAll ? count : 1} occurrence${count === 1 || !args.replaceAll ? '' : 's'}.`, [{ kind: 'vfs.write', data: { path } }]);
  },
};

function countOccurrences(text: string, needle: string): number {
  let count = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length)) count += 1;
  return count;
}
