import type { MemoryEntityRef } from '@lightspeed/ports';

/*
 * The ids the memory tools hand the model, and how an answer cites them. An event is cited by its
 * event id (`mev_…`); an entity by `<type>:<key>` (`pr:github:octo/app#7`, `issue:linear:ENG-42`):
 * entity keys begin with their provider, so the type before the first colon is unambiguous.
 *
 * Citation syntax in an answer: the id in square brackets, `[mev_…]`, several in one pair
 * separated by commas or semicolons (`[mev_a, mev_b]`). A bracket followed by `(` is a Markdown
 * link, not a citation.
 */

export const MEMORY_EVENT_ID = /^mev_[A-Za-z0-9-]{1,64}$/;
const ENTITY_TYPE = /^[a-z][a-z0-9_]{0,31}$/;

export type MemoryId = { kind: 'event'; id: string } | { kind: 'entity'; id: string; ref: MemoryEntityRef };

export function entityId(ref: MemoryEntityRef): string {
  return `${ref.type}:${ref.key}`;
}

/** What an id names, or undefined when it is neither an event id nor `<type>:<key>`. */
export function parseMemoryId(id: string): MemoryId | undefined {
  if (MEMORY_EVENT_ID.test(id)) return { kind: 'event', id };
  const colon = id.indexOf(':');
  if (colon <= 0 || colon === id.length - 1 || /\s/.test(id) || id.includes('://')) return undefined;
  const type = id.slice(0, colon);
  if (!ENTITY_TYPE.test(type)) return undefined;
  return { kind: 'entity', id, ref: { type, key: id.slice(colon + 1) } };
}

/** One citation as written: the id and where its bracket group sits in the answer. */
export interface CitationMark {
  id: string;
  /** The bracket group `[…]` it was in: start offset and length. */
  start: number;
  length: number;
}

const GROUP = /\[([^[\]\n]{1,2000})\](?!\()/g;

/** Every id cited in `text`, in order (an id cited twice appears twice). */
export function citationMarks(text: string): CitationMark[] {
  const marks: CitationMark[] = [];
  for (const match of text.matchAll(GROUP)) {
    for (const token of match[1]!.split(/[,;]/)) {
      const id = token.trim();
      if (parseMemoryId(id)) marks.push({ id, start: match.index, length: match[0].length });
    }
  }
  return marks;
}

/**
 * `text` with the citations `keep` refuses taken out: a group keeps its valid ids (`[a, b]` → `[a]`)
 * and disappears when none is left, with the space before it.
 */
export function withoutCitations(text: string, keep: (id: string) => boolean): string {
  return text.replace(/ ?\[([^[\]\n]{1,2000})\](?!\()/g, (whole: string, inner: string) => {
    const tokens = inner.split(/[,;]/).map((t) => t.trim());
    if (!tokens.some((id) => parseMemoryId(id))) return whole;
    const kept = tokens.filter((id) => !parseMemoryId(id) || keep(id));
    if (kept.length === tokens.length) return whole;
    return kept.length === 0 ? '' : `${whole.startsWith(' ') ? ' ' : ''}[${kept.join(', ')}]`;
  });
}

/** Members of a memory tool's result whose values are citable ids (see memory-tools.ts). */
const ID_MEMBERS = new Set(['id', 'root', 'from', 'to', 'primary', 'evidence']);

/** The ids a memory tool's JSON result showed the model: what an answer of that run may cite. */
export function citableIds(result: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (value: unknown, member: string | undefined): void => {
    if (typeof value === 'string') {
      if (member !== undefined && ID_MEMBERS.has(member) && parseMemoryId(value)) ids.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) visit(item, member);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(inner, key);
    }
  };
  visit(result, undefined);
  return ids;
}
