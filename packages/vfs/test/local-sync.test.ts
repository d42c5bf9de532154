import { mkdir, mkdtemp, readFile as readLocal, rm, symlink, writeFile, lstat, stat as statLocal } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlobStore } from '@lightspeed/cas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '@lightspeed/engine';
import { exportSnapshot, importDirectory, lookup, NodeStore, readFile, walk, commitChanges, type ImportProgress } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfs-sync-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(rel: string, content: string): Promise<void> {
  await mkdir(join(dir, 'src', rel, '..'), { recursive: true });
  await writeFile(join(dir, 'src', rel), content);
}

describe('importing a local directory', () => {
  it('respects .gitignore at every level, skips .git and symlinks', async () => {
    await put('.gitignore', 'node_modules/\n*.log\n');
    await put('app.ts', 'app');
    await put('debug.log', 'noise');
    await put('node_modules/x/index.js', 'x');
    await put('.git/HEAD', 'ref: refs/heads/main');
    await put('pkg/.gitignore', 'build/\n!keep.log\n');
    await put('pkg/build/out.js', 'built');
    await put('pkg/keep.log', 'kept');
    await put('pkg/src/main.ts', 'main');
    await symlink('/etc/passwd', join(dir, 'src', 'passwd-link'));

    const blobs = new MemoryBlobStore();
    const events: ImportProgress[] = [];
    const result = await importDirectory(blobs, join(dir, 'src'), { onProgress: (p) => events.push(p) });
    const nodes = new NodeStore(blobs);
    const files: string[] = [];
    for await (const entry of walk(nodes, result.rootRef)) if (entry.type === 'file') files.push(entry.path);
    expect(files).toEqual(['/.gitignore', '/app.ts', '/pkg/.gitignore', '/pkg/keep.log', '/pkg/src/main.ts']);
    expect(result.skipped).toEqual(['passwd-link']);
    expect(events[0]).toMatchObject({ phase: 'scan', filesTotal: 5 });
    expect(events.at(-1)).toMatchObject({ phase: 'done', filesDone: 5 });
  });

  it('uploads only blobs the store is missing', async () => {
    await put('a.txt', 'same');
    await put('b.txt', 'same');
    await put('c.txt', 'other');
    const blobs = new MemoryBlobStore();
    const first = await importDirectory(blobs, join(dir, 'src'));
    expect(first.uploaded).toBe(2);
    const second = await importDirectory(blobs, join(dir, 'src'));
    expect(second.uploaded).toBe(0);
    expect(second.rootRef).toBe(first.rootRef);
  });
});

describe('exporting a snapshot', () => {
  it('round-trips a tree and rewrites only files that differ', async () => {
    await put('a.txt', 'A');
    await put('deep/b.txt', 'B');
    await writeFile(join(dir, 'src', 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
    const blobs = new MemoryBlobStore();
    const { rootRef } = await importDirectory(blobs, join(dir, 'src'));
    const out = join(dir, 'out');
    const first = await exportSnapshot(blobs, rootRef, out);
    expect(first.written.sort()).toEqual(['a.txt', 'deep/b.txt', 'run.sh']);
    expect(await readLocal(join(out, 'deep/b.txt'), 'utf8')).toBe('B');
    expect((await statLocal(join(out, 'run.sh'))).mode & 0o111).not.toBe(0);

    const nodes = new NodeStore(blobs);
    const edited = await commitChanges(nodes, rootRef, [{ op: 'write', path: '/a.txt', content: new TextEncoder().encode('A2') }]);
    const second = await exportSnapshot(blobs, edited, out);
    expect(second.written).toEqual(['a.txt']);
    expect(second.unchanged).toBe(2);
    expect(new TextDecoder().decode(await readFile(nodes, edited, '/a.txt'))).toBe('A2');
  });

  it('prunes extraneous files only when asked', async () => {
    await put('a.txt', 'A');
    const blobs = new MemoryBlobStore();
    const { rootRef } = await importDirectory(blobs, join(dir, 'src'));
    const out = join(dir, 'out');
    await mkdir(out);
    await writeFile(join(out, 'stale.txt'), 'stale');
    expect((await exportSnapshot(blobs, rootRef, out)).removed).toEqual([]);
    expect((await exportSnapshot(blobs, rootRef, out, { prune: true })).removed).toEqual(['stale.txt']);
    await expect(lstat(join(out, 'stale.txt'))).rejects.toThrow();
  });

  it('refuses to write through a symlink in the destination', async () => {
    await put('link/x.txt', 'x');
    const blobs = new MemoryBlobStore();
    const { rootRef } = await importDirectory(blobs, join(dir, 'src'));
    const out = join(dir, 'out');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(out);
    await mkdir(elsewhere);
    await symlink(elsewhere, join(out, 'link'));
    await expect(exportSnapshot(blobs, rootRef, out)).rejects.toThrow(/symlink/);
    await expect(lstat(join(elsewhere, 'x.txt'))).rejects.toThrow();
  });

  it('refuses a crafted tree whose entry names escape the destination', async () => {
    const blobs = new MemoryBlobStore();
    const nodes = new NodeStore(blobs);
    const file = await blobs.put(new TextEncoder().encode('pwned'));
    const evil = await blobs.put(
      new TextEncoder().encode(canonicalJson({ kind: 'lightspeed.vfs.dir', v: 1, entries: { '..': { type: 'file', ref: file.ref, size: 5 } } })),
    );
    expect(await lookup(nodes, evil.ref, '/')).toBeDefined();
    const out = join(dir, 'out');
    await expect(exportSnapshot(blobs, evil.ref, out)).rejects.toThrow(/invalid entry name ".."/);
    await expect(lstat(join(dir, 'pwned'))).rejects.toThrow();
  });
});
