import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { canonicalJson, type BlobRef } from '@lightspeed/engine';
import { importDirectory } from '@lightspeed/vfs';
import type { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNIVERSE } from '../src/auth/gateway-auth.js';
import { b64, rpc, storageGateway } from './support/storage-gateway.js';

async function setup() {
  const { app } = storageGateway();
  const put = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64: b64('abc') }] } });
  return { app, ref: put.json.result.result.blobs[0].blobRef as string };
}

const commit = (files: unknown[]) => ({ jsonrpc: '2.0', id: 2, method: 'vfs/snapshots/commit', params: { manifest: { version: 1, files } } });

describe('vfs snapshots over the gateway', () => {
  it('are content-addressed: the same manifest in any order commits to the same ref', async () => {
    const { app, ref } = await setup();
    const a = await rpc(app, commit([{ path: 'a.txt', blobRef: ref }, { path: 'dir/b.txt', blobRef: ref, executable: true }]));
    const b = await rpc(app, commit([{ path: '/dir/b.txt', blobRef: ref, executable: true }, { path: './a.txt', blobRef: ref, bytes: 3 }]));
    expect(a.json.result.result).toEqual(b.json.result.result);
    expect(a.json.result.result).toMatchObject({ files: 2, bytes: 6 });
    const read = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'vfs/snapshots/read', params: { snapshotRef: a.json.result.result.snapshotRef, format: 'flat' } });
    expect(read.json.result.result.manifest).toEqual({
      version: 1,
      files: [
        { path: 'a.txt', blobRef: ref, bytes: 3 },
        { path: 'dir/b.txt', blobRef: ref, bytes: 3, executable: true },
      ],
    });
  });

  it.each([
    ['a path that climbs out of the root', [{ path: '../etc/passwd', blobRef: 'REF' }], 'invalid_request', /climbs above its root/],
    ['the same path twice', [{ path: 'x', blobRef: 'REF' }, { path: '/x', blobRef: 'REF' }], 'invalid_request', /appears twice/],
    ['a size that does not match the blob', [{ path: 'x', blobRef: 'REF', bytes: 4 }], 'invalid_request', /holds 3 bytes/],
    ['a file body that was never uploaded', [{ path: 'x', blobRef: `sha256:${'a'.repeat(64)}` }], 'not_found', /upload file bodies/],
    ['a malformed ref', [{ path: 'x', blobRef: 'sha256:XYZ' }], 'invalid_request', /sha256:<64 hex/],
    ['a file over a file', [{ path: 'x', blobRef: 'REF' }, { path: 'x/y', blobRef: 'REF' }], 'invalid_request', /is a file/],
  ])('refuse %s', async (_name, files, kind, message) => {
    const { app, ref } = await setup();
    const withRef = (files as { blobRef: string }[]).map((file) => ({ ...file, blobRef: file.blobRef === 'REF' ? ref : file.blobRef }));
    const { json } = await rpc(app, commit(withRef));
    expect(json.error.data.kind).toBe(kind);
    expect(json.error.message).toMatch(message);
  });

  it('stores a workspace displayName and returns it from create, read, list and update; update without one keeps it', async () => {
    const { app } = await setup();
    const created = await rpc(app, call('vfs/workspaces/create', { workspaceId: 'named', displayName: 'Project docs' }));
    expect(created.json.result.result.workspace).toMatchObject({ workspaceId: 'named', displayName: 'Project docs' });
    expect((await rpc(app, call('vfs/workspaces/read', { workspaceId: 'named' }))).json.result.result.workspace.displayName).toBe('Project docs');
    expect((await rpc(app, call('vfs/workspaces/list', {}))).json.result.result.workspaces).toMatchObject([{ workspaceId: 'named', displayName: 'Project docs' }]);
    const head = created.json.result.result.workspace.headSnapshotRef;
    const kept = await rpc(app, call('vfs/workspaces/update', { workspaceId: 'named', snapshotRef: head, displayName: null }));
    expect(kept.json.result.result.workspace).toMatchObject({ revision: 2, displayName: 'Project docs' });
    const renamed = await rpc(app, call('vfs/workspaces/update', { workspaceId: 'named', snapshotRef: head, displayName: 'Docs' }));
    expect(renamed.json.result.result.workspace).toMatchObject({ revision: 3, displayName: 'Docs' });
    expect((await rpc(app, call('vfs/workspaces/create', { displayName: 'x'.repeat(1_001) }))).json.error.data.kind).toBe('invalid_request');
    expect((await rpc(app, call('vfs/workspaces/create', { workspaceId: 'plain' }))).json.result.result.workspace.displayName).toBeNull();
  });

  it('refuses to read a blob that is not a snapshot, and to point a workspace at one', async () => {
    const { app, ref } = await setup();
    const read = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'vfs/snapshots/read', params: { snapshotRef: ref } });
    expect(read.json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(read.json.error.message).toMatch(/not a snapshot/);
    const missing = await rpc(app, { jsonrpc: '2.0', id: 5, method: 'vfs/snapshots/read', params: { snapshotRef: `sha256:${'b'.repeat(64)}` } });
    expect(missing.json.error.data.kind).toBe('not_found');
    await rpc(app, { jsonrpc: '2.0', id: 2, method: 'vfs/workspaces/create', params: { workspaceId: 'w' } });
    const update = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'vfs/workspaces/update', params: { workspaceId: 'w', snapshotRef: ref } });
    expect(update.json.error.data.kind).toBe('invalid_request');
    const view = await rpc(app, { jsonrpc: '2.0', id: 4, method: 'vfs/workspaces/read', params: { workspaceId: 'w' } });
    expect(view.json.result.result.workspace).toMatchObject({ revision: 1, files: 0, bytes: 0 });
  });
});

/** Uploads raw bytes with blobs/put, as any client can. */
async function upload(app: Hono, bytes: Uint8Array | string): Promise<BlobRef> {
  const bytesBase64 = Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64');
  const { json } = await rpc(app, { jsonrpc: '2.0', id: 1, method: 'blobs/put', params: { blobs: [{ bytesBase64 }] } });
  return json.result.result.blobs[0].blobRef;
}

/** Uploads a directory node holding exactly `entries`: nothing checks it until it is used. */
const uploadNode = (app: Hono, entries: Record<string, unknown>) => upload(app, canonicalJson({ kind: 'lightspeed.vfs.dir', v: 1, entries }));

/**
 * The expansion bomb of issue 24 from 21 uploaded blobs: one body, a node of 8 files, and 19
 * levels that each reference the level below twice, 8 × 2^19 = 4,194,304 files once expanded.
 */
async function uploadBomb(app: Hono): Promise<BlobRef> {
  const body = await upload(app, 'x');
  let ref = await uploadNode(app, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, { type: 'file', ref: body, size: 1 }])));
  for (let level = 0; level < 19; level++) ref = await uploadNode(app, { a: { type: 'dir', ref }, b: { type: 'dir', ref } });
  return ref;
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

const call = (method: string, params: unknown) => ({ jsonrpc: '2.0', id: 9, method, params });

describe('snapshot bounds over the gateway', () => {
  it('an expansion bomb of uploaded nodes is refused as a workspace head within a second, naming the limit and the figure', async () => {
    const { app } = storageGateway();
    const bomb = await uploadBomb(app);
    const create = await timed(() => rpc(app, call('vfs/workspaces/create', { workspaceId: 'bomb', snapshotRef: bomb })));
    expect(create.ms).toBeLessThan(1000);
    expect(create.value.json.error.data.kind).toBe('invalid_request');
    expect(create.value.json.error.message).toMatch(/at least 262144 files, over the limit of 200000 files per snapshot \(maxFiles\)/);

    await rpc(app, call('vfs/workspaces/create', { workspaceId: 'w' }));
    const update = await timed(() => rpc(app, call('vfs/workspaces/update', { workspaceId: 'w', snapshotRef: bomb })));
    expect(update.ms).toBeLessThan(1000);
    expect(update.value.json.error.message).toMatch(/maxFiles/);
    const list = await rpc(app, call('vfs/workspaces/list', {}));
    expect(list.json.result.result.workspaces).toMatchObject([{ workspaceId: 'w', revision: 1, files: 0 }]);
  });

  it('reading an expansion bomb is refused within a second instead of blocking the server', async () => {
    const { app } = storageGateway();
    const bomb = await uploadBomb(app);
    const read = await timed(() => rpc(app, call('vfs/snapshots/read', { snapshotRef: bomb })));
    expect(read.ms).toBeLessThan(1000);
    expect(read.value.json.error.data.kind).toBe('invalid_request');
    expect(read.value.json.error.message).toMatch(/maxFiles/);
  });

  it('a workspace over a bomb accepted before the limits existed lists within a second, with its exact size', async () => {
    const { app, workspacesOf } = storageGateway();
    const bomb = await uploadBomb(app);
    // Straight into the store, as a head written by an earlier version would be.
    await workspacesOf(DEFAULT_UNIVERSE).create('legacy-bomb', bomb);
    for (let i = 0; i < 3; i++) {
      const list = await timed(() => rpc(app, call('vfs/workspaces/list', {})));
      expect(list.ms).toBeLessThan(1000);
      expect(list.value.json.result.result.workspaces).toMatchObject([{ workspaceId: 'legacy-bomb', files: 4_194_304, bytes: 4_194_304 }]);
    }
  });

  it.each([
    ['a file with mode 06777', { f: { type: 'file', ref: 'BODY', size: 1, mode: 0o6777 } }, /mode 06777/],
    ['a file with a negative size', { f: { type: 'file', ref: 'BODY', size: -1 } }, /size -1/],
    ['an entry named ".."', { '..': { type: 'file', ref: 'BODY', size: 1 } }, /invalid entry name "\.\."/],
  ])('refuses uploaded nodes holding %s as a snapshot root, however deep', async (_name, entries, message) => {
    const { app } = storageGateway();
    const body = await upload(app, 'x');
    const bad = await uploadNode(app, JSON.parse(JSON.stringify(entries).replaceAll('BODY', body)));
    for (const root of [bad, await uploadNode(app, { nested: { type: 'dir', ref: bad } })]) {
      const { json } = await rpc(app, call('vfs/workspaces/create', { snapshotRef: root }));
      expect(json.error.data.kind).toBe('invalid_request');
      expect(json.error.message).toMatch(message);
      const read = await rpc(app, call('vfs/snapshots/read', { snapshotRef: root }));
      expect(read.json.error.data.kind).toBe('invalid_request');
    }
  });

  it('refuses a manifest nested deeper than 64 levels', async () => {
    const { app, ref } = await setup();
    const path = Array.from({ length: 65 }, (_, i) => `d${i}`).join('/');
    const { json } = await rpc(app, commit([{ path, blobRef: ref }]));
    expect(json.error.data.kind).toBe('invalid_request');
    expect(json.error.message).toMatch(/at least 65 levels deep, over the limit of 64 levels \(maxDepth\)/);
  });

  it('refuses a manifest over the file limit before looking up its blobs', async () => {
    const { app } = storageGateway(undefined, {}, { limits: { maxFiles: 2, maxDirectories: 10, maxDepth: 8, maxBytes: 100 } });
    const files = ['a', 'b', 'c'].map((path) => ({ path, blobRef: `sha256:${'0'.repeat(64)}` }));
    const { json } = await rpc(app, commit(files));
    expect(json.error.data.kind).toBe('invalid_request');
    expect(json.error.message).toMatch(/at least 3 files, over the limit of 2 files per snapshot/);
  });

  it('a real source tree imported by a client becomes a workspace and reads back page by page', async () => {
    const { app, blobsOf } = storageGateway();
    const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
    const imported = await importDirectory(blobsOf(DEFAULT_UNIVERSE), srcDir);
    expect(imported.files).toBeGreaterThan(20);
    const created = await rpc(app, call('vfs/workspaces/create', { workspaceId: 'repo', snapshotRef: imported.rootRef }));
    expect(created.json.result.result.workspace).toMatchObject({ files: imported.files, bytes: imported.bytes });

    const paths: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const { json } = await rpc(app, call('vfs/snapshots/read', { snapshotRef: imported.rootRef, format: 'flat', limit: 7, ...(cursor ? { cursor } : {}) }));
      const page = json.result.result;
      expect(page).toMatchObject({ files: imported.files, bytes: imported.bytes });
      expect(page.manifest.files.length).toBeLessThanOrEqual(7);
      for (const file of page.manifest.files) {
        paths.push(file.path);
        expect(file.bytes).toBe((await readFile(join(srcDir, file.path))).byteLength);
      }
      cursor = page.nextCursor ?? undefined;
      pages += 1;
    } while (cursor);
    expect(pages).toBe(Math.ceil(imported.files / 7));
    expect(paths).toHaveLength(imported.files);
    expect(new Set(paths).size).toBe(imported.files);

    // A manifest committed from what was read is the same snapshot.
    const whole = await rpc(app, call('vfs/snapshots/read', { snapshotRef: imported.rootRef, format: 'flat' }));
    expect(whole.json.result.result.nextCursor).toBeUndefined();
    const recommitted = await rpc(app, commit(whole.json.result.result.manifest.files));
    expect(recommitted.json.result.result).toEqual({ snapshotRef: imported.rootRef, files: imported.files, bytes: imported.bytes });
    const list = await timed(() => rpc(app, call('vfs/workspaces/list', {})));
    expect(list.value.json.result.result.workspaces).toMatchObject([{ workspaceId: 'repo', files: imported.files }]);
  });

  it('refuses a cursor it did not issue', async () => {
    const { app, ref } = await setup();
    const snapshot = await rpc(app, commit([{ path: 'a', blobRef: ref }]));
    const { json } = await rpc(app, call('vfs/snapshots/read', { snapshotRef: snapshot.json.result.result.snapshotRef, format: 'flat', cursor: 'not-a-cursor' }));
    expect(json.error.data.kind).toBe('invalid_request');
    expect(json.error.message).toMatch(/not a nextCursor returned by vfs\/snapshots\/read/);
  });
});
