import { isBlobRef } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import type { ContextEntryView } from '../schemas/context.js';
import type { SessionView } from '../schemas/session-view.js';

/** Bodies larger than this stay ref + preview (fetch them with blobs/read). */
export const MAX_INLINE_TEXT_BYTES = 64 * 1024;

const TEXT_KINDS = new Set(['message', 'toolCall', 'toolResult']);
const decoder = new TextDecoder('utf-8', { fatal: true });

function isTextual(mediaType: string | null | undefined): boolean {
  return mediaType == null || mediaType.startsWith('text/') || mediaType.startsWith('application/json');
}

/**
 * Fills `text` of message and tool entries from CAS, as the contract's ContextEntryView describes
 * (other kinds stay ref + preview). Bodies that are large, binary or missing are left out.
 */
export async function inlineEntryTexts(entries: ContextEntryView[], blobs: BlobStore, cache = new Map<string, string | null>()): Promise<void> {
  for (const entry of entries) {
    if (!TEXT_KINDS.has(entry.kind.type) || !isTextual(entry.mediaType) || !isBlobRef(entry.contentRef)) continue;
    if (!cache.has(entry.contentRef)) cache.set(entry.contentRef, await readText(blobs, entry.contentRef));
    const text = cache.get(entry.contentRef);
    if (text != null) entry.text = text;
  }
}

async function readText(blobs: BlobStore, ref: `sha256:${string}`): Promise<string | null> {
  const stat = await blobs.stat(ref);
  if (!stat || stat.size > MAX_INLINE_TEXT_BYTES) return null;
  const bytes = await blobs.get(ref);
  if (!bytes) return null;
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Inlines texts across a whole session view: the active context, every run's entries, and the
 * `arguments` of every tool call in a run's batches (the contract's ToolCallView member; the
 * entry holds the provider's whole call item, these are the arguments as the model sent them).
 */
export async function inlineSessionTexts(view: SessionView, blobs: BlobStore): Promise<SessionView> {
  const cache = new Map<string, string | null>();
  await inlineEntryTexts(view.activeContext.entries ?? [], blobs, cache);
  for (const run of view.runs ?? []) {
    await inlineEntryTexts(run.entries ?? [], blobs, cache);
    for (const call of (run.toolBatches ?? []).flatMap((batch) => batch.calls ?? [])) {
      if (call.arguments != null || !isBlobRef(call.argumentsRef)) continue;
      if (!cache.has(call.argumentsRef)) cache.set(call.argumentsRef, await readText(blobs, call.argumentsRef));
      const text = cache.get(call.argumentsRef);
      if (text != null) call.arguments = text;
    }
  }
  return view;
}
