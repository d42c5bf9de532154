import type { BlobStore, WorkspaceStore } from '@lightspeed/ports';
import { LightspeedError } from '@lightspeed/ports';
import { Workspaces } from '@lightspeed/vfs';
import type { FileSpace } from '../files/file-space.js';
import { sessionFileSpace } from '../files/session-file-space.js';
import { HostEnvironment } from '../host/host-environment.js';
import { parseToolFeatures, type ToolFeatures } from '../runtime/session-features.js';
import { findSkill } from './session-context-entries.js';
import { DEFAULT_SKILL_ROOTS, discoverSkills, skillActivationEntry, skillCatalogEntry, type ContextEntryContent, type SkillInfo } from './skill-catalog.js';

export interface SkillCatalog {
  skills: SkillInfo[];
  problems: string[];
  /** The `skills:catalog` entry the tool runtime places for these skills (same text, so the same ref). */
  entry: ContextEntryContent;
}

/**
 * The skills of one session config, read outside a tool runtime (the API's `session/skills/*`):
 * the same file namespace, discovery and entries the runtime uses, so what a client lists and
 * activates is exactly what the model's catalog names.
 */
export class SessionSkills {
  private readonly features: ToolFeatures;
  private files?: FileSpace;

  /** `features` is the session config's (opaque to the engine); a malformed one is `invalid`. */
  constructor(
    private readonly blobs: BlobStore,
    private readonly workspaces: WorkspaceStore,
    features: unknown,
  ) {
    this.features = parseToolFeatures(features);
  }

  /** Whether the config grants skills (`features.vfs.skills`). */
  get enabled(): boolean {
    return Boolean(this.features.vfs?.skills);
  }

  /** Discovers the skills now (a refresh: files may have changed since the session was set up). */
  async catalog(): Promise<SkillCatalog | undefined> {
    const granted = this.features.vfs?.skills;
    if (!granted) return undefined;
    const { skills, problems } = await discoverSkills(this.fileSpace(), granted.roots ?? DEFAULT_SKILL_ROOTS);
    return { skills, problems, entry: await skillCatalogEntry(this.blobs, skills) };
  }

  /** The `skillActivation` entry of one skill (by id or name): `forbidden` when skills are off, `not_found` when it is not in the catalog. */
  async activation(skill: string, catalog?: SkillCatalog): Promise<{ skill: SkillInfo; entry: ContextEntryContent }> {
    const current = catalog ?? (await this.catalog());
    if (!current) throw new LightspeedError('forbidden', 'skills are not enabled for this session: grant them with features.vfs.skills in its config');
    const found = findSkill(current.skills, skill);
    return { skill: found, entry: await skillActivationEntry(this.blobs, this.fileSpace(), found) };
  }

  private fileSpace(): FileSpace {
    const host = this.features.host ? new HostEnvironment(this.features.host) : undefined;
    return (this.files ??= sessionFileSpace(new Workspaces(this.workspaces, this.blobs), this.features.vfs?.workspaceLinks ?? [], host));
  }
}
