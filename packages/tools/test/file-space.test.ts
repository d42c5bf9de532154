import { MemoryBlobStore } from '@lightspeed/cas';
import { commitChanges, emptySnapshot, MemoryWorkspaceStore, NodeStore, Workspaces } from '@lightspeed/vfs';
import { describe, expect, it } from 'vitest';
import { FileSpace, SnapshotBackend, WorkspaceBackend } from '../src/index.js';

const text = (s: string) => new TextEncoder().encode(s);

async function space() {
  const blobs = new MemoryBlobStore();
  const nodes = new NodeStore(blobs);
  const workspaces = new Workspaces(new MemoryWorkspaceStore(), nodes);
  await workspaces.create('ws');
  await workspaces.commit('ws', [
    { op: 'write', path: '/app.ts', content: text('app') },
    // Shadowed by the nested mount below: never visible.
    { op: 'write', path: '/vendor/hidden.js', content: text('hidden') },
  ]);
  const vendor = await commitChanges(nodes, await emptySnapshot(nodes), [{ op: 'write', path: '/lib/dep.js', content: text('dep') }]);
  return new FileSpace([
    { path: '/workspace', access: 'readWrite', backend: new WorkspaceBackend(workspaces, 'ws') },
    { path: '/workspace/vendor', access: 'readOnly', backend: new SnapshotBackend(nodes, vendor) },
  ]);
}

describe('file space over nested mounts', () => {
  it('walks across nested mounts, with the inner mount shadowing the outer one', async () => {
    const files = await space();
    const seen: string[] = [];
    for await (const entry of files.walk('/')) seen.push(`${entry.type}:${entry.path}`);
    expect(seen).toEqual(['dir:/workspace', 'file:/workspace/app.ts', 'dir:/workspace/vendor', 'dir:/workspace/vendor/lib', 'file:/workspace/vendor/lib/dep.js']);
  });

  it('routes reads and refuses writes by mount', async () => {
    const files = await space();
    expect(new TextDecoder().decode(await files.readFile('/workspace/vendor/lib/dep.js'))).toBe('dep');
    await expect(files.readFile('/workspace/vendor/hidden.js')).rejects.toThrow(/does not exist/);
    await expect(files.commit([{ op: 'write', path: '/workspace/vendor/x.js', content: text('x') }])).rejects.toThrow(/read-only mount/);
    // Nothing was written to the writable mount either: access is checked before any commit.
    await expect(
      files.commit([
        { op: 'write', path: '/workspace/ok.ts', content: text('ok') },
        { op: 'write', path: '/workspace/vendor/x.js', content: text('x') },
      ]),
    ).rejects.toThrow(/read-only/);
    expect(await files.stat('/workspace/ok.ts')).toBeUndefined();
    expect((await files.list('/workspace')).map((e) => e.name)).toEqual(['app.ts', 'vendor']);
  });
});
