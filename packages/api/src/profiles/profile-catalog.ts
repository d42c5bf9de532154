import { putText } from '@lightspeed/cas';
import { preview, type BlobRef, type ConfigOrigin, type ContextPutEntry } from '@lightspeed/engine';
import type { BlobStore, ProfileRecord, ProfileStore } from '@lightspeed/ports';
import { notFound } from '../rpc/api-error.js';
import type { SessionConfig } from '../schemas/config.js';
import type { AgentProfile, AgentProfileInput } from '../schemas/profiles.js';
import type { ProfileSource } from '../schemas/session.js';
import { checkProfileBody, type ProfileBody, type ProfileCheckOptions } from './profile-checks.js';

/** What a session takes from a profile, with the revision it came from (named profiles only). */
export interface ResolvedProfile {
  config?: SessionConfig;
  displayName?: string;
  instructions?: string;
  origin?: ConfigOrigin;
}

export interface ProfileCatalogDeps extends ProfileCheckOptions {
  profilesOf: (universe: string) => ProfileStore;
  blobsOf: (universe: string) => BlobStore;
}

/** The stored document: the input without its id, null members dropped (absent and null mean the same). */
export function profileDocument(input: AgentProfileInput): Record<string, unknown> {
  const { profileId: _id, ...body } = input;
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null && value !== undefined));
}

export function profileView(record: ProfileRecord): AgentProfile {
  return { ...(record.document as ProfileBody), profileId: record.id, revision: record.revision, createdAtMs: record.createdAt, updatedAtMs: record.updatedAt } as AgentProfile;
}

/** Named and inline profiles, checked and resolved against one universe's stores. */
export class ProfileCatalog {
  constructor(private readonly deps: ProfileCatalogDeps) {}

  store(universe: string): ProfileStore {
    return this.deps.profilesOf(universe);
  }

  /** Admission checks for a document about to be stored: policy, inert fields, instruction blobs. */
  async checkInput(input: AgentProfileInput, universe: string): Promise<void> {
    checkProfileBody(input, 'profile', this.deps);
    const source = input.instructions;
    if (source?.type === 'textRef' && !(await this.deps.blobsOf(universe).has(source.blobRef as BlobRef))) {
      throw notFound(`profile.instructions.blobRef ${source.blobRef} is not stored; upload it with blobs/put first`);
    }
  }

  async read(universe: string, profileId: string): Promise<ProfileRecord> {
    const record = await this.store(universe).get(profileId);
    if (!record) throw notFound(`profile ${profileId} does not exist; list profiles with profiles/list or store one with profiles/put`);
    return record;
  }

  /**
   * A profile source as the session will use it. A stored profile is checked again: the server's
   * policy (host tools) may have changed since it was stored.
   */
  async resolve(source: ProfileSource, universe: string): Promise<ResolvedProfile> {
    let body: ProfileBody;
    let origin: ConfigOrigin | undefined;
    if (source.kind === 'named') {
      const record = await this.read(universe, source.profileId);
      body = record.document as ProfileBody;
      origin = { profileId: record.id, revision: record.revision };
      checkProfileBody(body, `profile ${record.id}`, this.deps);
    } else {
      body = source.profile;
      checkProfileBody(body, 'profile.profile', this.deps);
    }
    const resolved: ResolvedProfile = {};
    if (body.config) resolved.config = body.config;
    if (body.displayName) resolved.displayName = body.displayName;
    if (origin) resolved.origin = origin;
    const instructions = body.instructions;
    if (instructions?.type === 'text') resolved.instructions = instructions.text;
    if (instructions?.type === 'textRef') {
      const bytes = await this.deps.blobsOf(universe).get(instructions.blobRef as BlobRef);
      if (!bytes) throw notFound(`profile instructions blob ${instructions.blobRef} is not stored; upload it with blobs/put`);
      resolved.instructions = new TextDecoder().decode(bytes);
    }
    return resolved;
  }
}

/** The context key profile instructions live under: applying another profile replaces them. */
export const PROFILE_INSTRUCTIONS_KEY = 'prompt_instructions/profile';

/** The instructions as a context entry (body to CAS first: blobs before log). */
export async function profileInstructionsEntry(blobs: BlobStore, text: string, origin: ConfigOrigin | undefined): Promise<ContextPutEntry> {
  const contentRef = await putText(blobs, text);
  const label = origin ? `profile ${origin.profileId}@${origin.revision}` : 'profile';
  return { key: PROFILE_INSTRUCTIONS_KEY, kind: { type: 'instructions' }, contentRef, preview: preview(text), source: { type: 'runtime', label } };
}
