import { transcriptItemOf, type TranscriptItem } from '@lightspeed/api';
import type { SessionInput } from './plain-text.js';

type RunInput = NonNullable<SessionInput['runs']>[number];
type EntryInput = NonNullable<RunInput['entries']>[number];

/** Where an item's whole body lives, and whether `session/read` inlined it (≤ 64 KiB of text). */
export interface BodyRef {
  contentRef: string;
  inlined: boolean;
}

/** What the console draws of a run: the shared transcript items plus reasoning, each with its body's ref. */
export type ConsoleItem = (TranscriptItem & BodyRef) | ({ type: 'reasoning'; text: string } & BodyRef);

function bodyOf(entry: EntryInput): BodyRef {
  return { contentRef: entry.contentRef, inlined: entry.text != null };
}

/** A run's entries as console items, in order (catalogs and opaque provider items are left out). */
export function runItems(run: RunInput): ConsoleItem[] {
  return (run.entries ?? []).flatMap((entry): ConsoleItem[] => {
    // Reasoning's body is the provider's JSON item (often encrypted): the preview is its readable summary.
    if (entry.kind.type === 'reasoningState') return entry.preview ? [{ type: 'reasoning', text: entry.preview, ...bodyOf(entry) }] : [];
    const item = transcriptItemOf(entry);
    return item ? [{ ...item, ...bodyOf(entry) }] : [];
  });
}

export interface CompactionItem {
  compactionId: string;
  /** What replaced the conversation: a summary, the user messages a provider keeps, its opaque item. */
  outputs: ({ text: string } & BodyRef)[];
}

const COMPACTION_LABEL = /^compaction:(.+)$/;

/**
 * The compactions still in the active context, each with its outputs: they replaced the
 * conversation before them, so the runs they covered show no items of their own any more.
 */
export function compactionsOf(session: SessionInput): CompactionItem[] {
  const byId = new Map<string, CompactionItem>();
  for (const entry of session.activeContext?.entries ?? []) {
    const label = entry.source?.type === 'runtime' ? COMPACTION_LABEL.exec(entry.source.label) : null;
    if (!label) continue;
    const compaction = byId.get(label[1]!) ?? { compactionId: label[1]!, outputs: [] };
    byId.set(compaction.compactionId, compaction);
    compaction.outputs.push({ text: entry.text ?? entry.preview ?? '', ...bodyOf(entry) });
  }
  return [...byId.values()];
}
