import type { ContextEntry, ContextEntryKind, InputRef } from '@lightspeed/engine';
import type { ContextEntryInputView, ContextEntryKindView, ContextEntryView } from '../schemas/context.js';
import type { InputItem } from '../schemas/input.js';

/**
 * The contract knows two message roles; the engine also records system/developer messages, which
 * are instructions from the contract's point of view.
 */
export function entryKindView(kind: ContextEntryKind): ContextEntryKindView {
  if (kind.type === 'message') return kind.role === 'user' || kind.role === 'assistant' ? { type: 'message', role: kind.role } : { type: 'instructions' };
  return kind;
}

export function contextEntryView(entry: ContextEntry): ContextEntryView {
  const view: ContextEntryView = { id: entry.id, kind: entryKindView(entry.kind), contentRef: entry.contentRef };
  if (entry.key !== undefined) view.key = entry.key;
  if (entry.mediaType !== undefined) view.mediaType = entry.mediaType;
  if (entry.preview !== undefined) view.preview = entry.preview;
  if (entry.providerKind !== undefined) view.providerKind = entry.providerKind;
  if (entry.providerItemId !== undefined) view.providerItemId = entry.providerItemId;
  if (entry.source !== undefined) view.source = entry.source;
  if (entry.tokenEstimate !== undefined) view.tokenEstimate = { tokens: entry.tokenEstimate, quality: 'estimated' };
  return view;
}

/** How a piece of run/steering input enters the conversation (a user message). */
export function inputEntryView(item: InputRef): ContextEntryInputView {
  if (item.type === 'text') {
    const view: ContextEntryInputView = { kind: { type: 'message', role: 'user' }, contentRef: item.ref, mediaType: 'text/plain' };
    if (item.preview !== undefined) view.preview = item.preview;
    return view;
  }
  return { kind: { type: 'message', role: 'user' }, contentRef: item.ref, mediaType: item.mime, preview: `[${item.kind}${item.name === undefined ? '' : `: ${item.name}`}]` };
}

const MEDIA_KINDS = new Set(['image', 'audio', 'document']);

/** Engine input refs back in wire form: text bodies stay in CAS, so they read back as `textRef`. */
export function inputItemView(item: InputRef): InputItem {
  if (item.type === 'text') return { type: 'textRef', blobRef: item.ref };
  const kind = MEDIA_KINDS.has(item.kind) ? (item.kind as 'image' | 'audio' | 'document') : 'document';
  const view: InputItem = { type: 'media', blobRef: item.ref, mime: item.mime, kind };
  if (item.name !== undefined) view.name = item.name;
  return view;
}
