import { chmod, link, mkdir, mkdtemp, readFile as readLocal, readdir, rm, symlink, writeFile, lstat, stat as statLocal } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBlobStore } from '@lightspeed/cas';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '@lightspeed/engine';
import type { BlobRef } from '@lightspeed/engine';
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

  /** A root node holding `entries` exactly as given, bypassing every writer's checks. */
  async function craftedRoot(blobs: MemoryBlobStore, entries: Record<string, unknown>): Promise<BlobRef> {
    return (await blobs.put(new TextEncoder().encode(canonicalJson({ kind: 'lightspeed.vfs.dir', v: 1, entries })))).ref;
  }

  it.each([
    ['mode 06777 (setuid, setgid, world-writable)', { mode: 0o6777 }, /mode 06777; only 0644 \(regular\) and 0755 \(executable\)/],
    ['a negative size', { size: -5 }, /size -5; a size is a non-negative integer/],
  ])('refuses a crafted file entry with %s before writing anything', async (_name, override, message) => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(new TextEncoder().encode('#!/bin/sh\nid\n'));
    const fine = await blobs.put(new TextEncoder().encode('fine'));
    const root = await craftedRoot(blobs, { 'a-fine.txt': { type: 'file', ref: fine.ref, size: 4 }, evil: { type: 'file', ref: file.ref, size: file.size, ...override } });
    const out = join(dir, 'out');
    const error = await exportSnapshot(blobs, root, out).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid', name: 'TreeNodeError' });
    expect((error as Error).message).toMatch(message);
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('refuses a file whose recorded size does not match its content', async () => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(new TextEncoder().encode('twelve bytes'));
    const root = await craftedRoot(blobs, { 'a.txt': { type: 'file', ref: file.ref, size: 3 } });
    const error = await exportSnapshot(blobs, root, join(dir, 'out')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid' });
    expect((error as Error).message).toMatch(/says a.txt is 3 bytes but its content .* is 12 bytes/);
    await expect(lstat(join(dir, 'out', 'a.txt'))).rejects.toThrow();
  });

  it('refuses an expansion bomb before creating a single file', async () => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(new TextEncoder().encode('x'));
    let ref = await craftedRoot(blobs, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, { type: 'file', ref: file.ref, size: 1 }])));
    for (let level = 0; level < 19; level++) ref = await craftedRoot(blobs, { a: { type: 'dir', ref }, b: { type: 'dir', ref } });
    const out = join(dir, 'out');
    await expect(exportSnapshot(blobs, ref, out)).rejects.toMatchObject({ code: 'invalid', limit: 'maxFiles' });
    expect(await readdir(out).catch(() => [])).toEqual([]);
  });

  it('writes files as exactly 0644 or 0755 and directories as 0755, correcting modes already on disk', async () => {
    await put('plain.txt', 'plain');
    await put('bin/tool', 'tool');
    await chmod(join(dir, 'src', 'bin', 'tool'), 0o755);
    const blobs = new MemoryBlobStore();
    const { rootRef } = await importDirectory(blobs, join(dir, 'src'));
    const out = join(dir, 'out');
    await mkdir(out);
    // Same content already there, but with dangerous bits set.
    await writeFile(join(out, 'plain.txt'), 'plain');
    await chmod(join(out, 'plain.txt'), 0o6777);
    const result = await exportSnapshot(blobs, rootRef, out);
    expect(result.written.sort()).toEqual(['bin/tool', 'plain.txt']);
    expect((await statLocal(join(out, 'plain.txt'))).mode & 0o7777).toBe(0o644);
    expect((await statLocal(join(out, 'bin', 'tool'))).mode & 0o7777).toBe(0o755);
    expect((await statLocal(join(out, 'bin'))).mode & 0o7777).toBe(0o755 & ~process.umask());
  });

  it('replaces a hard link in the destination instead of writing through it to the file outside', async () => {
    await put('a.txt', 'from the snapshot');
    const blobs = new MemoryBlobStore();
    const { rootRef } = await importDirectory(blobs, join(dir, 'src'));
    const outside = join(dir, 'outside.txt');
    await writeFile(outside, 'precious');
    const out = join(dir, 'out');
    await mkdir(out);
    await link(outside, join(out, 'a.txt'));
    await exportSnapshot(blobs, rootRef, out);
    expect(await readLocal(outside, 'utf8')).toBe('precious');
    expect(await readLocal(join(out, 'a.txt'), 'utf8')).toBe('from the snapshot');
    expect((await readdir(out)).sort()).toEqual(['a.txt']);
  });
});
