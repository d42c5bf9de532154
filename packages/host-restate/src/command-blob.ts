import { isBlobRef, type BlobRef, type Command } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Runtime results (generation facts with output refs and usage, tool outcomes) travel from the
 * effects service to the session object by CAS ref, so the ~1 KB command is journaled nowhere: the
 * effect's `ctx.run` records a 71-character ref, the one-way call carries it, the object reads the
 * blob (content-addressed, hence the same on every replay). The GC's grace period covers the gap
 * between the put and the admission that references the blob's contents.
 */
export async function writeCommand(blobs: BlobStore, command: Command): Promise<BlobRef> {
  return (await blobs.put(encoder.encode(JSON.stringify(command)), { mediaType: 'application/json' })).ref;
}

export async function readCommand(blobs: BlobStore, ref: string): Promise<Command> {
  if (!isBlobRef(ref)) throw new LightspeedError('invalid', 'runtime result ref is not a blob ref');
  const bytes = await blobs.get(ref);
  if (!bytes) throw new LightspeedError('not_found', `runtime result ${ref} is missing from CAS`);
  return JSON.parse(decoder.decode(bytes)) as Command;
}
