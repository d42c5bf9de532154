import { LightspeedError } from '@lightspeed/ports';
import { isMap, isSeq, type LineCounter, type Node } from 'yaml';

/** One thing wrong with an agent file: where (file, line, field) and what was expected. */
export interface AgentProblem {
  file: string;
  /** 1-based line in the file, when the problem has a place. */
  line?: number;
  column?: number;
  /** Dotted path of the front matter field, e.g. `tools.mcp.0.server`. */
  field?: string;
  message: string;
}

export function formatProblem(problem: AgentProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
}

/**
 * An agent file (or several) failed to load. A `LightspeedError` with code `invalid`, carrying
 * every problem found so a user fixes them in one pass.
 */
export class AgentDefinitionError extends LightspeedError {
  constructor(readonly problems: readonly AgentProblem[]) {
    super('invalid', problems.map(formatProblem).join('\n'), { problems: problems.map((p) => ({ ...p })) });
    this.name = 'AgentDefinitionError';
  }
}

/** Where the YAML text sits in the file, to turn YAML offsets into file lines. */
export interface YamlPlace {
  contents: unknown;
  lineCounter: LineCounter;
  firstLine: number;
}

function position(place: YamlPlace, offset: number): { line: number; column: number } {
  const { line, col } = place.lineCounter.linePos(offset);
  return { line: place.firstLine + line - 1, column: col };
}

/**
 * The line of the deepest node on `path` that exists (a field's key when it has one): for a
 * missing field that is its parent, which is where it has to be added.
 */
export function locate(place: YamlPlace, path: readonly PropertyKey[]): { line: number; column: number } | undefined {
  let node = place.contents as Node | null | undefined;
  let found: [number, number, number] | undefined = node?.range ?? undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (item.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      found = (pair.key as Node | null)?.range ?? found;
      node = pair.value as Node | null;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) break;
      found = item.range ?? found;
      node = item;
    } else break;
  }
  return found ? position(place, found[0]) : undefined;
}

export function yamlErrorPosition(place: YamlPlace, offset: number): { line: number; column: number } {
  return position(place, offset);
}
