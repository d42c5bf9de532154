import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/**
 * One thing wrong with a YAML file (an agent file's front matter, the server config): where (file,
 * line, field) and what was expected. Shared so every YAML file the project reads reports its
 * problems the same way, `file:line:column: field: message`.
 */
export interface FileProblem {
  file: string;
  /** 1-based line in the file, when the problem has a place. */
  line?: number;
  column?: number;
  /** Dotted path of the field, e.g. `tools.mcp.0.server`. */
  field?: string;
  message: string;
}

export function formatProblem(problem: FileProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}${problem.column === undefined ? '' : `:${problem.column}`}`;
  return `${where}: ${problem.field ? `${problem.field}: ` : ''}${problem.message}`;
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

/** A file-located problem for `path` (a dotted field, at the line of the deepest node that exists). */
export function problemAt(file: string, place: YamlPlace, path: readonly PropertyKey[], message: string): FileProblem {
  const field = path.map(String).join('.');
  return { file, ...locate(place, path), ...(field ? { field } : {}), message };
}

/**
 * A schema's issues as located problems, in file order. An unknown field is one problem per field
 * at its own line, with `unknownField` as the message (it should say where the fields are listed).
 */
export function zodProblems(file: string, place: YamlPlace, error: z.ZodError, unknownField: string): FileProblem[] {
  const problems: FileProblem[] = [];
  for (const issue of error.issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    for (const key of keys) {
      problems.push(problemAt(file, place, key === undefined ? issue.path : [...issue.path, key], key === undefined ? issue.message : unknownField));
    }
  }
  return sortProblems(problems);
}

/** In file order, as an editor would list them. */
export function sortProblems<T extends FileProblem>(problems: T[]): T[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/** A parsed YAML document's value, or its syntax problems (each at its line). */
export function yamlValue(file: string, document: Document, place: YamlPlace): { value: unknown } | { problems: FileProblem[] } {
  if (document.errors.length > 0) {
    return { problems: document.errors.map((error) => ({ file, ...yamlErrorPosition(place, error.pos[0]), message: `invalid YAML: ${error.message.split('\n')[0]}` })) };
  }
  try {
    // Bounded alias expansion: a small file must not expand into a huge value.
    return { value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { problems: [{ file, line: place.firstLine, message: `invalid YAML: ${(error as Error).message}` }] };
  }
}

/** Parses a whole file as one YAML document (JSON is valid YAML, so a JSON file parses too). */
export function parseYamlFile(text: string, file: string): { value: unknown; place: YamlPlace } | { problems: FileProblem[] } {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const place: YamlPlace = { contents: document.contents, lineCounter, firstLine: 1 };
  const parsed = yamlValue(file, document, place);
  return 'problems' in parsed ? parsed : { value: parsed.value, place };
}
