import { preview } from '@lightspeed/engine';
import { putText } from '@lightspeed/cas';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import type { FileSpace } from '../files/file-space.js';
import type { ToolFeatures } from '../runtime/session-features.js';
import {
  DEFAULT_PROMPT_ROOTS,
  DEFAULT_SKILL_ROOTS,
  discoverSkills,
  promptInstructionEntries,
  skillActivationEntry,
  skillCatalogEntry,
  type ContextEntryContent,
  type SkillInfo,
} from './skill-catalog.js';

export interface SessionContextEntries {
  /** One per prompt file (when `vfs.prompts` is granted). */
  instructions: ContextEntryContent[];
  /** The mounted paths and their access (whenever a VFS is granted). */
  vfsCatalog?: ContextEntryContent;
  /** When `vfs.skills` is granted. */
  skillCatalog?: ContextEntryContent;
  skills: SkillInfo[];
  problems: string[];
}

/** The VFS catalog: what is mounted where, so the model knows its namespace without listing `/`. */
export async function vfsCatalogEntry(blobs: BlobStore, files: FileSpace): Promise<ContextEntryContent> {
  const mounts = [...files.table.list()].sort((a, b) => (a.path < b.path ? -1 : 1));
  const lines = ['# File system', 'Mounted paths (use absolute paths under them):', ...mounts.map((m) => `- ${m.path} (${m.access === 'readWrite' ? 'read-write' : 'read-only'})`)];
  const text = `${lines.join('\n')}\n`;
  return { key: 'vfs:catalog', kind: { type: 'vfsCatalog' }, contentRef: await putText(blobs, text, 'text/markdown; charset=utf-8'), mediaType: 'text/markdown', preview: preview(text) };
}

/** Everything the VFS contributes to a session's context, per its granted features. */
export async function sessionContextEntries(blobs: BlobStore, files: FileSpace, features: ToolFeatures): Promise<SessionContextEntries> {
  const out: SessionContextEntries = { instructions: [], skills: [], problems: [] };
  const vfs = features.vfs;
  if (!vfs) return out;
  out.vfsCatalog = await vfsCatalogEntry(blobs, files);
  if (vfs.prompts) out.instructions = await promptInstructionEntries(blobs, files, vfs.prompts.roots ?? DEFAULT_PROMPT_ROOTS);
  if (vfs.skills) {
    const { skills, problems } = await discoverSkills(files, vfs.skills.roots ?? DEFAULT_SKILL_ROOTS);
    out.skills = skills;
    out.problems = problems;
    out.skillCatalog = await skillCatalogEntry(blobs, skills);
  }
  return out;
}

/** A discovered skill by id (its directory path) or, failing that, by name; `not_found` names the ones there are. */
export function findSkill(skills: readonly SkillInfo[], skill: string): SkillInfo {
  const found = skills.find((s) => s.skillId === skill) ?? skills.find((s) => s.name === skill);
  if (!found) throw new LightspeedError('not_found', `no skill ${JSON.stringify(skill)}; available: ${skills.map((s) => s.name).join(', ') || '(none)'}`);
  return found;
}

/** Activates a skill by id (its directory path) or name. */
export async function activateSkill(blobs: BlobStore, files: FileSpace, features: ToolFeatures, skill: string): Promise<ContextEntryContent> {
  if (!features.vfs?.skills) throw new LightspeedError('forbidden', 'skills are not enabled for this session (features.vfs.skills)');
  const { skills } = await discoverSkills(files, features.vfs.skills.roots ?? DEFAULT_SKILL_ROOTS);
  return skillActivationEntry(blobs, files, findSkill(skills, skill));
}
