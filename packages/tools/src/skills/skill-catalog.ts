import { preview, type BlobRef, type ContextEntryKind } from '@lightspeed/engine';
import { putText } from '@lightspeed/cas';
import type { BlobStore } from '@lightspeed/ports';
import { joinSegments, normalizePath, pathSegments } from '@lightspeed/vfs';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { FileSpace } from '../files/file-space.js';
import { decodeText } from '../files/text-content.js';

export interface SkillInfo {
  /** Stable id: the skill's directory path in the session namespace. */
  skillId: string;
  name: string;
  description: string;
  /** Session path of the SKILL.md file. */
  path: string;
}

/** Content for a context entry, ready for the driver: it adds id, source and revision. */
export interface ContextEntryContent {
  key: string;
  kind: ContextEntryKind;
  contentRef: BlobRef;
  mediaType: string;
  preview: string;
}

export const DEFAULT_SKILL_ROOTS = ['/skills', '/.lightspeed/skills'];
export const DEFAULT_PROMPT_ROOTS = ['/.lightspeed/prompts'];

/**
 * Where to look: each configured root at the top of the namespace and inside every mount, so a
 * workspace mounted at `/workspace` contributes `/workspace/.lightspeed/skills` too.
 */
export function searchRoots(files: FileSpace, roots: readonly string[]): string[] {
  const out = new Set<string>();
  const mountPaths = files.table.list().map((m) => m.path);
  for (const root of roots) {
    const rel = pathSegments(root);
    out.add(joinSegments(rel));
    for (const mount of mountPaths) out.add(joinSegments([...pathSegments(mount), ...rel]));
  }
  return [...out].sort();
}

/** Front matter as parsed YAML, with what a loader needs to point at a line of the original file. */
export interface FrontMatterDocument {
  /** The YAML document (its node ranges are offsets into `yamlText`). */
  document: Document.Parsed;
  lineCounter: LineCounter;
  yamlText: string;
  /** 1-based line of the file on which the YAML text starts (the line after the opening `---`). */
  firstLine: number;
  body: string;
}

// The YAML may be empty (`---` right after `---`).
const FRONT_MATTER = /^---\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/**
 * Parses `---\nyaml\n---\nbody` front matter keeping the YAML document, so callers can report the
 * line of a bad field. Undefined when the file has no front matter block; YAML syntax errors are in
 * `document.errors`.
 */
export function parseFrontMatter(text: string): FrontMatterDocument | undefined {
  const match = FRONT_MATTER.exec(text);
  if (!match) return undefined;
  const yamlText = match[1] ?? '';
  const lineCounter = new LineCounter();
  const document = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { document, lineCounter, yamlText, firstLine: 2, body: text.slice(match[0].length) };
}

/** Splits `---\nyaml\n---\nbody` front matter; undefined when the file has none. */
export function splitFrontMatter(text: string): { data: Record<string, unknown>; body: string } | undefined {
  const parsed = parseFrontMatter(text);
  if (!parsed || parsed.document.errors.length > 0) return undefined;
  let data: unknown;
  try {
    data = parsed.document.toJS();
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  return { data: data as Record<string, unknown>, body: parsed.body };
}

/**
 * Finds `<root>/<skill>/SKILL.md` files with a `name` and `description` in their front matter.
 * Files without valid front matter are skipped (reported in `problems`), not fatal.
 */
export async function discoverSkills(files: FileSpace, roots: readonly string[] = DEFAULT_SKILL_ROOTS): Promise<{ skills: SkillInfo[]; problems: string[] }> {
  const skills: SkillInfo[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const root of searchRoots(files, roots)) {
    let entries;
    try {
      const info = await files.stat(root);
      if (info?.type !== 'dir') continue;
      entries = await files.list(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.type !== 'dir') continue;
      const dir = joinSegments([...pathSegments(root), entry.name]);
      const path = `${dir}/SKILL.md`;
      if (seen.has(path)) continue;
      seen.add(path);
      const info = await files.stat(path).catch(() => undefined);
      if (info?.type !== 'file') continue;
      const text = decodeText(await files.readFile(path));
      const parsed = text === undefined ? undefined : splitFrontMatter(text);
      const name = parsed?.data.name;
      const description = parsed?.data.description;
      if (typeof name !== 'string' || typeof description !== 'string' || name.trim() === '' || description.trim() === '') {
        problems.push(`${path}: front matter needs a name and a description`);
        continue;
      }
      skills.push({ skillId: dir, name: name.trim(), description: description.trim(), path });
    }
  }
  skills.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.skillId < b.skillId ? -1 : 1));
  return { skills, problems };
}

/** The skill catalog entry: every skill's name, description and path, so the model can pick one. */
export async function skillCatalogEntry(blobs: BlobStore, skills: readonly SkillInfo[]): Promise<ContextEntryContent> {
  const lines = [
    '# Available skills',
    'Each skill is a folder of instructions. When a task matches a skill, read its SKILL.md (or ask for it to be activated) before starting.',
    '',
    ...skills.map((s) => `- ${s.name}: ${s.description} (${s.path})`),
  ];
  if (skills.length === 0) lines.push('(no skills found)');
  const text = `${lines.join('\n')}\n`;
  return { key: 'skills:catalog', kind: { type: 'skillCatalog' }, contentRef: await putText(blobs, text, 'text/markdown; charset=utf-8'), mediaType: 'text/markdown', preview: preview(text) };
}

/** Activating a skill: its SKILL.md body (front matter removed) as a context entry. */
export async function skillActivationEntry(blobs: BlobStore, files: FileSpace, skill: SkillInfo, catalogId = 'skills:catalog'): Promise<ContextEntryContent> {
  const text = decodeText(await files.readFile(skill.path)) ?? '';
  const body = splitFrontMatter(text)?.body ?? text;
  const content = `# Skill: ${skill.name}\n(from ${skill.path}; files it mentions are relative to ${skill.skillId})\n\n${body.trim()}\n`;
  return {
    key: `skills:active:${skill.skillId}`,
    kind: { type: 'skillActivation', catalogId, skillId: skill.skillId },
    contentRef: await putText(blobs, content, 'text/markdown; charset=utf-8'),
    mediaType: 'text/markdown',
    preview: preview(content),
  };
}

/**
 * Prompt files (`.lightspeed/prompts/*.md`) as instruction entries, one per file, ordered by path
 * so the context prefix is stable.
 */
export async function promptInstructionEntries(blobs: BlobStore, files: FileSpace, roots: readonly string[] = DEFAULT_PROMPT_ROOTS): Promise<ContextEntryContent[]> {
  const out: ContextEntryContent[] = [];
  for (const root of searchRoots(files, roots)) {
    let entries;
    try {
      if ((await files.stat(root))?.type !== 'dir') continue;
      entries = await files.list(root);
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (entry.type !== 'file' || !entry.name.endsWith('.md')) continue;
      const path = normalizePath(`${root}/${entry.name}`);
      const text = decodeText(await files.readFile(path));
      if (text === undefined || text.trim() === '') continue;
      const body = splitFrontMatter(text)?.body ?? text;
      out.push({
        key: `prompts:${path}`,
        kind: { type: 'instructions' },
        contentRef: await putText(blobs, body.trim() + '\n', 'text/markdown; charset=utf-8'),
        mediaType: 'text/markdown',
        preview: preview(body.trim()),
      });
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : 1));
}
