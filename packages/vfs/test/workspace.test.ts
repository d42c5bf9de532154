import { MemoryBlobStore } from '@lightspeed/cas';
import { isLightspeedError } from '@lightspeed/ports';
import { describe, expect, it } from 'vitest';
import { MemoryWorkspaceStore, MountTable, readFile, Workspaces } from '../src/index.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('workspaces', () => {
  it('commits move the head and bump the revision', async () => {
    const ws = new Workspaces(new MemoryWorkspaceStore(), new MemoryBlobStore());
    const created = await ws.create('w1');
    expect(created.revision).toBe(1);
    const { record } = await ws.commit('w1', [{ op: 'write', path: '/a.txt', content: text('A') }], { expectedRevision: 1 });
    expect(record.revision).toBe(2);
    expect(new TextDecoder().decode(await readFile(ws.nodes, record.headRef, '/a.txt'))).toBe('A');
  });

  it('a commit against a stale revision is a conflict and changes nothing', async () => {
    const ws = new Workspaces(new MemoryWorkspaceStore(), new MemoryBlobStore());
    await ws.create('w1');
    await ws.commit('w1', [{ op: 'write', path: '/a.txt', content: text('first') }], { expectedRevision: 1 });
    const error = await ws.commit('w1', [{ op: 'write', path: '/a.txt', content: text('second') }], { expectedRevision: 1 }).catch((e: unknown) => e);
    expect(isLightspeedError(error, 'conflict')).toBe(true);
    expect(String((error as Error).message)).toMatch(/re-read the files and retry/);
    expect((await ws.head('w1')).revision).toBe(2);
  });

  it('two concurrent writers: exactly one wins', async () => {
    const ws = new Workspaces(new MemoryWorkspaceStore(), new MemoryBlobStore());
    await ws.create('w1');
    const results = await Promise.allSettled([
      ws.commit('w1', [{ op: 'write', path: '/a', content: text('1') }], { expectedRevision: 1 }),
      ws.commit('w1', [{ op: 'write', path: '/b', content: text('2') }], { expectedRevision: 1 }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && isLightspeedError(r.reason, 'conflict'))).toHaveLength(1);
  });

  it('the memory store lists with a cursor and refuses duplicate ids', async () => {
    const ws = new Workspaces(new MemoryWorkspaceStore(), new MemoryBlobStore());
    for (const id of ['a', 'b', 'c']) await ws.create(id);
    await expect(ws.create('a')).rejects.toSatisfy((e) => isLightspeedError(e, 'conflict'));
    const page1 = await ws.store.list({ limit: 2 });
    expect(page1.workspaces.map((w) => w.id)).toEqual(['a', 'b']);
    const page2 = await ws.store.list({ limit: 2, cursor: page1.nextCursor! });
    expect(page2.workspaces.map((w) => w.id)).toEqual(['c']);
    expect(page2.nextCursor).toBeUndefined();
  });
});

describe('mount table', () => {
  const table = new MountTable([
    { path: '/workspace', access: 'readWrite', target: 'ws' },
    { path: '/workspace/vendor', access: 'readOnly', target: 'vendor' },
    { path: '/docs/', access: 'readOnly', target: 'docs' },
  ]);

  it('resolves to the longest mount prefix with the inner path', () => {
    expect(table.resolve('/workspace/src/a.ts')).toMatchObject({ innerPath: '/src/a.ts', mount: { target: 'ws' } });
    expect(table.resolve('/workspace/vendor/x.js')).toMatchObject({ innerPath: '/x.js', mount: { target: 'vendor' } });
    expect(table.resolve('/docs')).toMatchObject({ innerPath: '/', mount: { target: 'docs' } });
  });

  it('refuses writes to read-only mounts', () => {
    expect(() => table.resolve('/docs/a.md', { write: true })).toThrow(/read-only mount/);
    expect(() => table.resolve('/workspace/vendor/x.js', { write: true })).toThrow(/read-only/);
    expect(table.resolve('/workspace/x.js', { write: true }).mount.target).toBe('ws');
  });

  it('refuses .. escapes and unmounted paths', () => {
    expect(() => table.resolve('/workspace/../../etc/passwd')).toThrow(/climbs above/);
    // `..` inside the namespace is resolved before the mount lookup, so it cannot reach past a mount.
    expect(() => table.resolve('/workspace/../etc/passwd')).toThrow(/not inside any mounted workspace/);
  });

  it('shows mount points as virtual directories', () => {
    expect(table.virtualChildren('/')).toEqual(['docs', 'workspace']);
    expect(table.isVirtualDirectory('/')).toBe(true);
    expect(table.isVirtualDirectory('/workspace')).toBe(false);
  });
});
