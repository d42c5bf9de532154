import { describe, expect, it } from 'vitest';
import { b64, rpc, storageGateway } from './support/storage-gateway.js';

const SCHEMA = 'lightspeed.vfs.snapshot.v1';
let nextId = 1;
const call = (method: string, params: unknown) => ({ id: nextId++, method, params });

async function setup() {
  const { app } = storageGateway();
  const put = await rpc(app, call('blobs/put', { blobs: [{ bytesBase64: b64('abc') }, { bytesBase64: b64('#!/bin/sh\n') }] }));
  const [text, script] = put.json.result.result.blobs as { blobRef: string; bytes: number }[];
  return { app, text: text!, script: script! };
}

const file = (blob: { blobRef: string; bytes: number }, executable = false) => ({ kind: 'file', blob_ref: blob.blobRef, size_bytes: blob.bytes, executable });
const dir = (entries: Record<string, unknown>) => ({ kind: 'directory', entries });
const tree = (entries: Record<string, unknown>, totals?: { files: number; bytes: number }) => ({ schema_version: SCHEMA, root: { entries }, ...(totals ? { totals } : {}) });

describe('vfs snapshots in the upstream tree manifest form', () => {
  it('commits a tree and reads the same tree back, with totals, executables and empty directories', async () => {
    const { app, text, script } = await setup();
    const manifest = tree(
      { 'README.md': file(text), bin: dir({ run: file(script, true) }), empty: dir({}), src: dir({ lib: dir({ 'a.ts': file(text) }) }) },
      { files: 3, bytes: 3 + 10 + 3 },
    );
    const committed = await rpc(app, call('vfs/snapshots/commit', { manifest }));
    expect(committed.json.result.result).toMatchObject({ files: 3, bytes: 16 });
    const { snapshotRef } = committed.json.result.result;

    const read = await rpc(app, call('vfs/snapshots/read', { snapshotRef }));
    const answer = read.json.result.result;
    expect(answer).toMatchObject({ snapshotRef, files: 3, bytes: 16 });
    expect(answer.manifest).toEqual(manifest);

    // What was read commits to the same snapshot; so does the flat form of the same files (with the
    // empty directory, which only the tree form can carry, left out on both sides).
    expect((await rpc(app, call('vfs/snapshots/commit', { manifest: answer.manifest }))).json.result.result.snapshotRef).toBe(snapshotRef);
    const withoutEmpty = tree({ 'README.md': file(text), bin: dir({ run: file(script, true) }) });
    const flat = { version: 1, files: [{ path: 'README.md', blobRef: text.blobRef }, { path: 'bin/run', blobRef: script.blobRef, executable: true }] };
    const fromTree = (await rpc(app, call('vfs/snapshots/commit', { manifest: withoutEmpty }))).json.result.result;
    const fromFlat = (await rpc(app, call('vfs/snapshots/commit', { manifest: flat }))).json.result.result;
    expect(fromTree).toEqual(fromFlat);
    // The flat pages remain available on request.
    const pages = await rpc(app, call('vfs/snapshots/read', { snapshotRef: fromTree.snapshotRef, format: 'flat' }));
    expect(pages.json.result.result.manifest).toEqual({ version: 1, files: [{ path: 'README.md', blobRef: text.blobRef, bytes: 3 }, { path: 'bin/run', blobRef: script.blobRef, bytes: 10, executable: true }] });
  });

  it.each([
    ['an entry named ".."', { '..': file({ blobRef: 'REF', bytes: 3 }) }, 'invalid_request', /one path segment/],
    ['an entry named "."', { a: dir({ '.': file({ blobRef: 'REF', bytes: 3 }) }) }, 'invalid_request', /one path segment/],
    ['a name holding a slash', { 'a/../../etc': file({ blobRef: 'REF', bytes: 3 }) }, 'invalid_request', /one path segment/],
    ['a name holding a backslash', { 'a\\..': file({ blobRef: 'REF', bytes: 3 }) }, 'invalid_request', /one path segment/],
    ['an empty name', { '': file({ blobRef: 'REF', bytes: 3 }) }, 'invalid_request', /invalid params/],
    ['a size that does not match the blob', { x: file({ blobRef: 'REF', bytes: 4 }) }, 'invalid_request', /says 4 bytes but blob .* holds 3 bytes/],
    ['a body never uploaded', { x: file({ blobRef: `sha256:${'a'.repeat(64)}`, bytes: 3 }) }, 'not_found', /upload file bodies/],
    ['an unknown entry kind', { x: { kind: 'symlink', target: '/etc/passwd' } }, 'invalid_request', /invalid params/],
  ])('refuses %s', async (_name, entries, kind, message) => {
    const { app, text } = await setup();
    const manifest = JSON.parse(JSON.stringify(tree(entries)).replaceAll('"REF"', JSON.stringify(text.blobRef)));
    const { json } = await rpc(app, call('vfs/snapshots/commit', { manifest }));
    expect(json.error.data.kind).toBe(kind);
    expect(json.error.message).toMatch(message);
  });

  it('refuses an entry named __proto__ in either form rather than dropping it silently', async () => {
    const { app, text } = await setup();
    const entries = JSON.parse(`{"__proto__": ${JSON.stringify(file(text))}}`);
    const fromTree = await rpc(app, call('vfs/snapshots/commit', { manifest: tree({ d: dir(entries) }) }));
    expect(fromTree.json.error).toMatchObject({ code: -32602, message: 'invalid params: a key named __proto__ is not accepted' });
    const fromFlat = await rpc(app, call('vfs/snapshots/commit', { manifest: { version: 1, files: [{ path: 'd/__proto__/x', blobRef: text.blobRef }] } }));
    expect(fromFlat.json.error.message).toMatch(/__proto__ cannot be stored/);
  });

  it('refuses totals that do not match the entries', async () => {
    const { app, text } = await setup();
    const { json } = await rpc(app, call('vfs/snapshots/commit', { manifest: tree({ a: file(text) }, { files: 2, bytes: 3 }) }));
    expect(json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(json.error.message).toMatch(/totals says 2 files and 3 bytes, but the entries hold 1 files and 3 bytes/);
  });

  it('refuses a tree deeper than the VFS depth limit, and hostile nesting before validation, without an internal error', async () => {
    const { app, text } = await setup();
    let deep: unknown = file(text);
    for (let level = 0; level < 65; level++) deep = dir({ d: deep });
    const tooDeep = await rpc(app, call('vfs/snapshots/commit', { manifest: tree({ d: deep }) }));
    expect(tooDeep.json.error.data.kind).toBe('invalid_request');
    expect(tooDeep.json.error.message).toMatch(/over the limit of 64 levels \(maxDepth\)/);

    // 100,000 levels: validating it recursively would exhaust the stack.
    const hostile = `{"id":1,"method":"vfs/snapshots/commit","params":{"manifest":{"schema_version":"${SCHEMA}","root":{"entries":${'{"d":{"kind":"directory","entries":'.repeat(100_000)}{}${'}}'.repeat(100_000)}}}}}`;
    const started = performance.now();
    const refused = await rpc(app, hostile);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(refused.json.error).toMatchObject({ code: -32602, data: { kind: 'invalid_request' } });
    expect(refused.json.error.message).toMatch(/nested more than 256 levels deep/);
  });

  it('answers a snapshot too large for one tree answer with a refusal that points at the flat pages', async () => {
    const { app, text } = await setup();
    const files = Array.from({ length: 10_001 }, (_, i) => ({ path: `f/${i}`, blobRef: text.blobRef }));
    const { snapshotRef } = (await rpc(app, call('vfs/snapshots/commit', { manifest: { version: 1, files } }))).json.result.result;
    const { json } = await rpc(app, call('vfs/snapshots/read', { snapshotRef }));
    expect(json.error).toMatchObject({ code: -32010, data: { kind: 'rejected' } });
    expect(json.error.message).toMatch(/holds 10001 files.*format: "flat"/);
    const paging = await rpc(app, call('vfs/snapshots/read', { snapshotRef, limit: 5 }));
    expect(paging.json.error.message).toMatch(/pass format: "flat"/);
    const page = await rpc(app, call('vfs/snapshots/read', { snapshotRef, format: 'flat', limit: 5 }));
    expect(page.json.result.result.manifest.files).toHaveLength(5);
  });
});
