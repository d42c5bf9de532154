import { MemoryBlobStore } from '@lightspeed/cas';
import { isLightspeedError } from '@lightspeed/ports';
import { describe, expect, it } from 'vitest';
import { commitChanges, emptySnapshot, list, lookup, NodeStore, normalizePath, readFile, SnapshotMeter, stat, walk } from '../src/index.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

async function fixture() {
  const blobs = new MemoryBlobStore();
  const nodes = new NodeStore(blobs);
  const root = await commitChanges(nodes, await emptySnapshot(nodes), [
    { op: 'write', path: '/src/a.ts', content: text('export const a = 1;\n') },
    { op: 'write', path: '/src/lib/b.ts', content: text('b') },
    { op: 'write', path: '/docs/readme.md', content: text('# hi') },
    { op: 'mkdir', path: '/empty' },
  ]);
  return { blobs, nodes, root };
}

describe('vfs paths', () => {
  it('normalises separators, dots and inner parent steps', () => {
    expect(normalizePath('a//b/./c/../d')).toBe('/a/b/d');
    expect(normalizePath('\\x\\y')).toBe('/x/y');
    expect(normalizePath('/')).toBe('/');
  });
  it('rejects a .. escape and NUL bytes', () => {
    expect(() => normalizePath('/a/../../etc/passwd')).toThrow(/climbs above its root/);
    expect(() => normalizePath('..\\secret')).toThrow(/climbs/);
    expect(() => normalizePath('a\0b')).toThrow(/NUL/);
  });
});

describe('snapshot trees', () => {
  it('reads, stats, lists and walks a committed tree', async () => {
    const { nodes, root } = await fixture();
    expect(decode(await readFile(nodes, root, '/src/a.ts'))).toBe('export const a = 1;\n');
    expect(await stat(nodes, root, '/src/lib/b.ts')).toMatchObject({ type: 'file', size: 1 });
    expect(await stat(nodes, root, '/src')).toMatchObject({ type: 'dir', size: 2 });
    expect(await list(nodes, root, '/')).toEqual([
      { name: 'docs', type: 'dir' },
      { name: 'empty', type: 'dir' },
      { name: 'src', type: 'dir' },
    ]);
    const paths: string[] = [];
    for await (const entry of walk(nodes, root)) paths.push(`${entry.type}:${entry.path}`);
    expect(paths).toEqual(['dir:/docs', 'file:/docs/readme.md', 'dir:/empty', 'dir:/src', 'file:/src/a.ts', 'dir:/src/lib', 'file:/src/lib/b.ts']);
    expect(await new SnapshotMeter(nodes).measure(root)).toEqual({ files: 3, dirs: 4, bytes: 20 + 1 + 4, depth: 3 });
  });

  it('a write rewrites only the directories on its path; siblings keep their refs', async () => {
    const { blobs, nodes, root } = await fixture();
    const before = { docs: await lookup(nodes, root, '/docs'), lib: await lookup(nodes, root, '/src/lib') };
    const blobsBefore = blobs.size;
    const next = await commitChanges(nodes, root, [{ op: 'write', path: '/src/a.ts', content: text('changed') }]);
    expect(next).not.toBe(root);
    expect(await lookup(nodes, next, '/docs')).toEqual(before.docs);
    expect(await lookup(nodes, next, '/src/lib')).toEqual(before.lib);
    // New blobs: the file content, /src and / — nothing else.
    expect(blobs.size - blobsBefore).toBe(3);
    // The old snapshot is untouched.
    expect(decode(await readFile(nodes, root, '/src/a.ts'))).toBe('export const a = 1;\n');
  });

  it('equal trees have equal refs regardless of the order changes were made', async () => {
    const { nodes } = await fixture();
    const empty = await emptySnapshot(nodes);
    const one = await commitChanges(nodes, empty, [
      { op: 'write', path: '/x/1', content: text('1') },
      { op: 'write', path: '/y', content: text('2') },
    ]);
    const two = await commitChanges(nodes, empty, [
      { op: 'write', path: '/y', content: text('2') },
      { op: 'write', path: '/x/1', content: text('1') },
    ]);
    expect(one).toBe(two);
  });

  it('deletes files and whole directories, and reports missing paths', async () => {
    const { nodes, root } = await fixture();
    const next = await commitChanges(nodes, root, [
      { op: 'delete', path: '/src/lib' },
      { op: 'delete', path: '/nope', missingOk: true },
    ]);
    expect(await lookup(nodes, next, '/src/lib/b.ts')).toBeUndefined();
    await expect(commitChanges(nodes, root, [{ op: 'delete', path: '/nope' }])).rejects.toSatisfy((e) => isLightspeedError(e, 'not_found'));
  });

  it('refuses to put a file under a file or over a directory', async () => {
    const { nodes, root } = await fixture();
    await expect(commitChanges(nodes, root, [{ op: 'write', path: '/src/a.ts/x', content: text('') }])).rejects.toThrow(/is a file/);
    await expect(commitChanges(nodes, root, [{ op: 'write', path: '/src', content: text('') }])).rejects.toThrow(/is a directory/);
  });

  it('links an existing blob by ref without re-uploading, and refuses a ref the store lacks', async () => {
    const { blobs, nodes, root } = await fixture();
    const { ref, size } = await blobs.put(text('shared'));
    const next = await commitChanges(nodes, root, [{ op: 'writeRef', path: '/linked.txt', ref, size }]);
    expect(decode(await readFile(nodes, next, '/linked.txt'))).toBe('shared');
    const missing = 'sha256:' + 'ab'.repeat(32);
    await expect(commitChanges(nodes, root, [{ op: 'writeRef', path: '/x', ref: missing as `sha256:${string}`, size: 1 }])).rejects.toThrow(/not in this store/);
  });

  it('reading a missing file or a directory is a typed error', async () => {
    const { nodes, root } = await fixture();
    await expect(readFile(nodes, root, '/missing.txt')).rejects.toSatisfy((e) => isLightspeedError(e, 'not_found'));
    await expect(readFile(nodes, root, '/src')).rejects.toSatisfy((e) => isLightspeedError(e, 'invalid'));
  });
});
