/**
 * One stored agent profile: the profile document (the API's `AgentProfileInput` without its id,
 * as plain JSON) and its revision. Revisions start at 1 and grow by one per change.
 */
export interface ProfileRecord {
  id: string;
  document: Record<string, unknown>;
  revision: number;
  createdAt: number;
  updatedAt: number;
}

/**
 * Agent profiles of one universe, changed with an expected-revision compare-and-set: a mismatch
 * throws a `conflict` LightspeedError, an absent profile `not_found`.
 */
export interface ProfileStore {
  get(id: string): Promise<ProfileRecord | undefined>;
  list(options?: { limit?: number; cursor?: string }): Promise<{ profiles: ProfileRecord[]; nextCursor?: string }>;
  /** Creates at revision 1; `conflict` when the id exists. */
  create(id: string, document: Record<string, unknown>): Promise<ProfileRecord>;
  /**
   * Creates or replaces. `expectedRevision` is checked only when the profile exists. Storing a
   * document equal to the current one changes nothing (same revision), so re-syncing an unchanged
   * agent file does not move the revision sessions are pinned to.
   */
  put(id: string, document: Record<string, unknown>, expectedRevision?: number): Promise<ProfileRecord>;
  /** Removes and returns the last record; `expectedRevision`, when given, must match. */
  delete(id: string, expectedRevision?: number): Promise<ProfileRecord>;
}
