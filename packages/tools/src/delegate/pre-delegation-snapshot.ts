import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { getJson, putJson } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import { LightspeedError, type BlobStore } from '@lightspeed/ports';
import { readDirectoryState, type DirectoryState } from './workdir-changes.js';

/**
 * The workspace as it was before a delegation, kept in CAS and named by a marker file per call, so
 * a delegation interrupted by a crash is re-run from the same starting point: the re-run finds
 * the marker, puts the directory back as it was (half-done edits of the killed CLI undone) and
 * runs the CLI again. The marker goes once the call has its result.
 */
export interface PreDelegationSnapshot {
  before: DirectoryState;
  /** True when this is a re-run that restored the directory. */
  restored: boolean;
  release(): Promise<void>;
}

type Manifest = Record<string, BlobRef>;

const markerName = (key: string): string => `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;

export async function takePreDelegationSnapshot(options: { blobs: BlobStore; workdir: string; checkpointDir: string; key: string }): Promise<PreDelegationSnapshot> {
  const marker = join(options.checkpointDir, markerName(options.key));
  const existing = await readFile(marker, 'utf8').then((text) => JSON.parse(text) as { manifest: BlobRef }, () => undefined);
  if (existing) {
    const manifest = await getJson<Manifest>(options.blobs, existing.manifest);
    const before = await restoreDirectory(options.blobs, options.workdir, manifest);
    return { before, restored: true, release: () => rm(marker, { force: true }) };
  }
  const before = await readDirectoryState(options.workdir);
  const manifest: Manifest = {};
  for (const [path, bytes] of before) manifest[path] = (await options.blobs.put(bytes)).ref;
  const ref = await putJson(options.blobs, manifest);
  await mkdir(options.checkpointDir, { recursive: true });
  await writeFile(`${marker}.tmp`, JSON.stringify({ key: options.key, manifest: ref }));
  await rename(`${marker}.tmp`, marker);
  return { before, restored: false, release: () => rm(marker, { force: true }) };
}

/** Makes the directory hold exactly the manifest's files (the CLIs' own state dirs aside). */
async function restoreDirectory(blobs: BlobStore, workdir: string, manifest: Manifest): Promise<DirectoryState> {
  const now = await readDirectoryState(workdir);
  for (const path of now.keys()) if (!(path in manifest)) await rm(join(workdir, path), { force: true });
  const before: DirectoryState = new Map();
  for (const [path, ref] of Object.entries(manifest)) {
    const bytes = await blobs.get(ref);
    if (!bytes) throw new LightspeedError('corrupt', `the pre-delegation snapshot lost ${path} (${ref}); the delegation cannot be re-run from it`, { path });
    const buffer = Buffer.from(bytes);
    before.set(path, buffer);
    if (!now.get(path)?.equals(buffer)) {
      await mkdir(dirname(join(workdir, path)), { recursive: true });
      await writeFile(join(workdir, path), buffer);
    }
  }
  return before;
}
