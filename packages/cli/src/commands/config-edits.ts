import { usageError } from '../cli-error.js';

/** One edit of a JSON document at a dotted path: set to a value, or remove the member. */
export type ConfigEdit = { op: 'set'; path: string[]; value: unknown } | { op: 'unset'; path: string[] };

const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

function parsePath(text: string, flag: string): string[] {
  const path = text.split('.');
  if (path.some((segment) => segment === '' || FORBIDDEN.has(segment))) throw usageError(`${flag} ${text}: expected a dotted path such as limits.maxTurns`);
  return path;
}

/** `--set PATH=VALUE`: VALUE is JSON when it parses as JSON (8, true, {}, ["a"], "x"), else the text itself. */
export function parseSet(text: string): ConfigEdit {
  const at = text.indexOf('=');
  if (at <= 0) throw usageError(`--set ${text}: expected PATH=VALUE, e.g. --set limits.maxTurns=8`);
  const raw = text.slice(at + 1);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return { op: 'set', path: parsePath(text.slice(0, at), '--set'), value };
}

export function parseUnset(text: string): ConfigEdit {
  return { op: 'unset', path: parsePath(text, '--unset') };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Applies edits to a copy of `document`; intermediate objects are created as needed. */
export function applyConfigEdits(document: Record<string, unknown>, edits: readonly ConfigEdit[]): Record<string, unknown> {
  const root = structuredClone(document);
  edits: for (const edit of edits) {
    let node: Record<string, unknown> = root;
    for (const [index, segment] of edit.path.slice(0, -1).entries()) {
      const next = node[segment];
      if (next === undefined || next === null) {
        // Nothing to remove below a member that is not there.
        if (edit.op === 'unset') continue edits;
        node[segment] = {};
      } else if (!isObject(next)) {
        throw usageError(`${edit.path.slice(0, index + 1).join('.')} is not an object, so ${edit.path.join('.')} cannot be ${edit.op === 'set' ? 'set' : 'removed'}`);
      }
      node = node[segment] as Record<string, unknown>;
    }
    const last = edit.path[edit.path.length - 1]!;
    if (edit.op === 'set') node[last] = edit.value;
    else delete node[last];
  }
  return root;
}
