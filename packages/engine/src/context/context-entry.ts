import type { BlobRef } from '../values/digest.js';

/** Message roles in the conversation section of context. */
export type MessageRole = 'user' | 'assistant' | 'system' | 'developer';

/**
 * Kind of a context entry (mirrors the API contract's ContextEntryKindView).
 * Instructions and catalogs are pinned ahead of the conversation for prefix-cache stability.
 */
export type ContextEntryKind =
  | { type: 'message'; role: MessageRole }
  | { type: 'instructions' }
  | { type: 'vfsCatalog' }
  | { type: 'skillCatalog' }
  | { type: 'skillActivation'; catalogId: string; skillId: string }
  | { type: 'toolCall'; callId: string; name: string }
  | { type: 'toolResult'; callId: string; isError: boolean }
  | { type: 'reasoningState' }
  | { type: 'providerOpaque' };

/** Where a context entry came from (mirrors ContextEntrySourceView). */
export type ContextEntrySource =
  | { type: 'contextEdit' }
  | { type: 'runInput'; runId: string; inputIndex: number }
  | { type: 'steering'; runId: string; steeringId: string; inputIndex: number }
  | { type: 'assistantOutput'; runId: string; turnId: string }
  | { type: 'tool'; runId: string; turnId: string; batchId?: string | null }
  | { type: 'reasoning'; runId: string; turnId: string }
  | { type: 'runtime'; label: string };

/**
 * One entry of a session's context. Bodies live in CAS (`contentRef`); only a bounded preview
 * (≤ 200 chars) is held inline. `providerKind` + `providerItemId` identify provider-native items
 * (e.g. an OpenAI reasoning item, an Anthropic thinking block) that must be passed back verbatim,
 * and only to the API kind that produced them (`apiKind`).
 */
export interface ContextEntry {
  id: string;
  key?: string;
  kind: ContextEntryKind;
  contentRef: BlobRef;
  mediaType?: string;
  preview?: string;
  providerKind?: string;
  providerItemId?: string;
  apiKind?: string;
  source?: ContextEntrySource;
  tokenEstimate?: number;
  /** Revision of this keyed entry (compare-and-set by key). */
  revision?: number;
  /** `run`: dropped when the active run ends (or, put while idle, when the next run ends). */
  scope?: 'run';
}

/** Which ordering section a kind belongs to: instructions, catalogs, then the conversation. */
export type ContextSection = 'instructions' | 'catalog' | 'conversation';

export function sectionOf(kind: ContextEntryKind): ContextSection {
  switch (kind.type) {
    case 'instructions':
      return 'instructions';
    case 'vfsCatalog':
    case 'skillCatalog':
    case 'skillActivation':
      return 'catalog';
    default:
      return 'conversation';
  }
}
