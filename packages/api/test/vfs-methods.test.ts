import { describe, expect, it } from 'vitest';
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
    const read = await rpc(app, { jsonrpc: '2.0', id: 3, method: 'vfs/snapshots/read', params: { snapshotRef: a.json.result.result.snapshotRef } });
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
