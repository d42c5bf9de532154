import { LightspeedError } from '@lightspeed/ports';

/**
 * The `*** Begin Patch` format OpenAI's models are trained to emit (Codex `apply_patch`):
 *
 *   *** Begin Patch
 *   *** Add File: path        (every following line starts with `+`)
 *   *** Delete File: path
 *   *** Update File: path
 *   *** Move to: new/path     (optional, right after Update)
 *   @@ optional anchor line
 *    context / -removed / +added lines
 *   *** End of File           (optional: the chunk ends at end of file)
 *   *** End Patch
 */
export type PatchOperation =
  | { type: 'add'; path: string; content: string }
  | { type: 'delete'; path: string }
  | { type: 'update'; path: string; moveTo?: string; chunks: PatchChunk[] };

export interface PatchChunk {
  /** `@@ anchor` text: the chunk's context starts after the first line matching it. */
  anchor?: string;
  oldLines: string[];
  newLines: string[];
  /** The old lines must be at the end of the file. */
  endOfFile: boolean;
}

export class PatchSyntaxError extends LightspeedError {
  constructor(message: string, line?: number) {
    super('invalid', line === undefined ? `malformed patch: ${message}` : `malformed patch (line ${line}): ${message}`);
    this.name = 'PatchSyntaxError';
  }
}

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const EOF_MARK = '*** End of File';

export function parsePatch(input: string): PatchOperation[] {
  let lines = input.replace(/\r\n/g, '\n').split('\n');
  // Models sometimes wrap the patch in a heredoc (`apply_patch <<'EOF' … EOF`); unwrap it.
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  while (lines.length > 0 && lines[0]!.trim() === '') lines.shift();
  if (lines.length >= 2 && /^(apply_patch\s+)?<<-?['"]?\w+['"]?\s*$/.test(lines[0]!.trim())) lines = lines.slice(1, -1);
  if (lines[0]?.trim() !== BEGIN) throw new PatchSyntaxError(`the first line must be "${BEGIN}"`, 1);
  if (lines[lines.length - 1]?.trim() !== END) throw new PatchSyntaxError(`the last line must be "${END}"`, lines.length);

  const ops: PatchOperation[] = [];
  let i = 1;
  const last = lines.length - 1;
  while (i < last) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line.startsWith(ADD)) {
      const path = headerPath(line, ADD, lineNo);
      const content: string[] = [];
      i += 1;
      while (i < last && !lines[i]!.startsWith('*** ')) {
        const body = lines[i]!;
        if (!body.startsWith('+')) throw new PatchSyntaxError(`every line of an added file must start with "+" (file ${path})`, i + 1);
        content.push(body.slice(1));
        i += 1;
      }
      ops.push({ type: 'add', path, content: content.length === 0 ? '' : `${content.join('\n')}\n` });
    } else if (line.startsWith(DELETE)) {
      ops.push({ type: 'delete', path: headerPath(line, DELETE, lineNo) });
      i += 1;
    } else if (line.startsWith(UPDATE)) {
      const path = headerPath(line, UPDATE, lineNo);
      i += 1;
      let moveTo: string | undefined;
      if (i < last && lines[i]!.startsWith(MOVE)) {
        moveTo = headerPath(lines[i]!, MOVE, i + 1);
        i += 1;
      }
      const chunks: PatchChunk[] = [];
      let current: PatchChunk | undefined;
      while (i < last && (!lines[i]!.startsWith('*** ') || lines[i] === EOF_MARK)) {
        const body = lines[i]!;
        if (body === EOF_MARK) {
          if (!current) throw new PatchSyntaxError('"*** End of File" must follow a chunk', i + 1);
          current.endOfFile = true;
          current = undefined;
        } else if (body.startsWith('@@')) {
          const anchor = body.slice(2).trim();
          current = { oldLines: [], newLines: [], endOfFile: false };
          if (anchor !== '') current.anchor = anchor;
          chunks.push(current);
        } else {
          if (!current) {
            // The first chunk of an update may omit its `@@` line.
            if (chunks.length > 0) throw new PatchSyntaxError('chunk lines after "*** End of File" need a new "@@" line', i + 1);
            current = { oldLines: [], newLines: [], endOfFile: false };
            chunks.push(current);
          }
          const marker = body[0];
          const text = body.slice(1);
          if (marker === ' ' || body === '') {
            current.oldLines.push(text);
            current.newLines.push(text);
          } else if (marker === '-') current.oldLines.push(text);
          else if (marker === '+') current.newLines.push(text);
          else throw new PatchSyntaxError(`a chunk line must start with " ", "-" or "+", got ${JSON.stringify(body.slice(0, 40))}`, i + 1);
        }
        i += 1;
      }
      const real = chunks.filter((c) => c.oldLines.length > 0 || c.newLines.length > 0);
      if (real.length === 0 && moveTo === undefined) throw new PatchSyntaxError(`the update of ${path} has no changes`, lineNo);
      const op: PatchOperation = { type: 'update', path, chunks: real };
      if (moveTo !== undefined) op.moveTo = moveTo;
      ops.push(op);
    } else if (line.trim() === '') {
      i += 1;
    } else {
      throw new PatchSyntaxError(`expected "*** Add File:", "*** Delete File:" or "*** Update File:", got ${JSON.stringify(line.slice(0, 60))}`, lineNo);
    }
  }
  if (ops.length === 0) throw new PatchSyntaxError('the patch contains no file operations');
  return ops;
}

function headerPath(line: string, prefix: string, lineNo: number): string {
  const path = line.slice(prefix.length).trim();
  if (path === '') throw new PatchSyntaxError(`"${prefix.trim()}" needs a path`, lineNo);
  return path;
}
