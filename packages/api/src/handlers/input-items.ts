import { putText } from '@lightspeed/cas';
import { preview, type InputRef } from '@lightspeed/engine';
import type { BlobStore } from '@lightspeed/ports';
import { notFound } from '../rpc/api-error.js';
import type { InputItem } from '../schemas/input.js';
import { requireBlobRef } from './blob-refs.js';

/**
 * Wire input → engine input refs. Inline text is stored in the universe's CAS first (only refs
 * cross into the engine); referenced blobs must already exist.
 */
export async function toInputRef(blobs: BlobStore, item: InputItem, path: string): Promise<InputRef> {
  if (item.type === 'text') return { type: 'text', ref: await putText(blobs, item.text), preview: preview(item.text) };
  const ref = requireBlobRef(item.blobRef, `${path}.blobRef`);
  if (!(await blobs.has(ref))) throw notFound(`${path}.blobRef ${ref} is not stored; upload it with blobs/put first`);
  if (item.type === 'textRef') return { type: 'text', ref };
  const media: InputRef = { type: 'media', ref, mime: item.mime, kind: item.kind };
  if (item.name != null) media.name = item.name;
  return media;
}

export async function toInputRefs(blobs: BlobStore, items: readonly InputItem[], path: string): Promise<InputRef[]> {
  const refs: InputRef[] = [];
  for (const [index, item] of items.entries()) refs.push(await toInputRef(blobs, item, `${path}[${index}]`));
  return refs;
}
