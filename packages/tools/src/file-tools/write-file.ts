import { normalizePath } from '@lightspeed/vfs';
import { fail, ok, type LogicalTool } from '../tool-definition.js';

export interface WriteArgs {
  path: string;
  content: string;
}

/** Creates or overwrites a file (creating parent directories). */
export const writeTool: LogicalTool<WriteArgs> = {
  logical: 'vfs.write',
  parallelism: 'exclusive',
  async run(args, env) {
    const path = normalizePath(args.path);
    const files = env.files();
    const info = await files.stat(path);
    if (info?.type === 'dir') return fail(`${path} is a directory; choose a file path.`);
    const content = new TextEncoder().encode(args.content);
    await files.commit([{ op: 'write', path, content }]);
    return ok(`${info ? 'Overwrote' : 'Created'} ${path} (${content.byteLength} bytes).`, [{ kind: 'vfs.write', data: { path } }]);
  },
};
