import { MemoryBlobStore } from '@lightspeed/cas';
import type { BlobRef } from '@lightspeed/engine';
import { describe, expect, it } from 'vitest';
import {
  commitChanges,
  emptySnapshot,
  encodeNode,
  makeNode,
  MemoryWorkspaceStore,
  NodeStore,
  SnapshotLimitError,
  SnapshotMeter,
  TreeNodeError,
  walk,
  Workspaces,
  type SnapshotLimits,
  type TreeEntry,
} from '../src/index.js';

const text = (s: string) => new TextEncoder().encode(s);

/** A MemoryBlobStore that counts reads, to show how much of a tree an operation looked at. */
class CountingBlobStore extends MemoryBlobStore {
  reads = 0;
  override async get(ref: BlobRef): Promise<Uint8Array | undefined> {
    this.reads += 1;
    return super.get(ref);
  }
}

const putNode = async (blobs: MemoryBlobStore, entries: Record<string, TreeEntry>): Promise<BlobRef> => (await blobs.put(encodeNode(makeNode(entries)))).ref;

/**
 * The expansion bomb from issue 24, uploaded as an attacker would (no totals recorded): a node of
 * 8 files, then 19 levels that each reference the level below twice. 20 nodes and one file body
 * expand to 8 × 2^19 = 4,194,304 files.
 */
async function expansionBomb(blobs: MemoryBlobStore): Promise<BlobRef> {
  const file = await blobs.put(text('x'));
  let ref = await putNode(blobs, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}`, { type: 'file', ref: file.ref, size: 1 } as TreeEntry])));
  for (let level = 0; level < 19; level++) ref = await putNode(blobs, { a: { type: 'dir', ref }, b: { type: 'dir', ref } });
  return ref;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error as Error,
  );
}

const small = (overrides: Partial<SnapshotLimits>): SnapshotLimits => ({ maxFiles: 1000, maxDirectories: 1000, maxDepth: 64, maxBytes: 1_000_000, ...overrides });

describe('measuring a snapshot', () => {
  it('refuses an expansion bomb after reading the few nodes that prove it, in well under a second', async () => {
    const blobs = new CountingBlobStore();
    const bomb = await expansionBomb(blobs);
    const started = performance.now();
    const error = await rejection(new SnapshotMeter(new NodeStore(blobs)).measure(bomb));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(SnapshotLimitError);
    expect(error).toMatchObject({ code: 'invalid', limit: 'maxFiles', max: 200_000, actual: 262_144 });
    expect(error.message).toMatch(/at least 262144 files, over the limit of 200000 files per snapshot \(maxFiles\)/);
    // One read per distinct node, never one per path.
    expect(blobs.reads).toBeLessThanOrEqual(20);
  });

  it('reports the exact size of a bomb from its distinct nodes when asked for totals only', async () => {
    const blobs = new CountingBlobStore();
    const bomb = await expansionBomb(blobs);
    const totals = await new SnapshotMeter(new NodeStore(blobs)).totalsOf(bomb);
    expect(totals).toEqual({ files: 4_194_304, dirs: 2 ** 20 - 2, bytes: 4_194_304, depth: 20 });
    expect(blobs.reads).toBe(20);
  });

  it('refuses a tree nested deeper than maxDepth without reading below the limit', async () => {
    const blobs = new CountingBlobStore();
    let ref = await putNode(blobs, {});
    for (let level = 0; level < 200; level++) ref = await putNode(blobs, { d: { type: 'dir', ref } });
    blobs.reads = 0;
    const error = await rejection(new SnapshotMeter(new NodeStore(blobs)).measure(ref));
    expect(error).toMatchObject({ limit: 'maxDepth', max: 64 });
    expect(blobs.reads).toBeLessThanOrEqual(65);
  });

  it('counts directories, so a bomb of empty directories is refused too', async () => {
    const blobs = new MemoryBlobStore();
    let ref = await putNode(blobs, {});
    const fanOut = (child: BlobRef) => Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`d${i}`, { type: 'dir', ref: child } as TreeEntry]));
    for (let level = 0; level < 6; level++) ref = await putNode(blobs, fanOut(ref));
    const error = await rejection(new SnapshotMeter(new NodeStore(blobs)).measure(ref));
    expect(error).toMatchObject({ limit: 'maxDirectories', max: 100_000 });
  });

  it('refuses a snapshot whose files add up to more than maxBytes', async () => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(text('0123456789'));
    const root = await putNode(blobs, { a: { type: 'file', ref: file.ref, size: 600_000 }, b: { type: 'file', ref: file.ref, size: 600_000 } });
    const error = await rejection(new SnapshotMeter(new NodeStore(blobs), small({})).measure(root));
    expect(error).toMatchObject({ limit: 'maxBytes', max: 1_000_000, actual: 1_200_000 });
  });

  it('refuses a directory whose recorded totals are a lie', async () => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(text('x'));
    const child = await putNode(blobs, { f: { type: 'file', ref: file.ref, size: 1 } });
    const root = await putNode(blobs, { d: { type: 'dir', ref: child, totals: { files: 0, dirs: 0, bytes: 0, depth: 0 } } });
    const error = await rejection(new SnapshotMeter(new NodeStore(blobs)).measure(root));
    expect(error).toBeInstanceOf(TreeNodeError);
    expect(error.message).toMatch(/directory "d" claims 0 files, 0 directories, 0 bytes, depth 0 but holds 1 files, 0 directories, 1 bytes, depth 1/);
  });
});

describe('committing within the limits', () => {
  it('records each directory’s totals, so a snapshot’s size is read from its root alone', async () => {
    const blobs = new CountingBlobStore();
    const nodes = new NodeStore(blobs);
    const root = await commitChanges(nodes, await emptySnapshot(nodes), [
      { op: 'write', path: '/src/a.ts', content: text('aaaa') },
      { op: 'write', path: '/src/lib/deep/b.ts', content: text('bb') },
      { op: 'write', path: '/README', content: text('r') },
    ]);
    blobs.reads = 0;
    expect(await new SnapshotMeter(new NodeStore(blobs)).totalsOf(root)).toEqual({ files: 3, dirs: 3, bytes: 7, depth: 4 });
    expect(blobs.reads).toBe(1);
    // And the recorded totals are the true ones.
    expect(await new SnapshotMeter(new NodeStore(blobs)).measure(root)).toEqual({ files: 3, dirs: 3, bytes: 7, depth: 4 });
  });

  it('refuses a commit that would take the snapshot over a limit, leaving the head where it was', async () => {
    const blobs = new MemoryBlobStore();
    const ws = new Workspaces(new MemoryWorkspaceStore(), blobs, { limits: small({ maxFiles: 3 }) });
    await ws.create('w');
    await ws.commit('w', [1, 2, 3].map((i) => ({ op: 'write' as const, path: `/f${i}`, content: text(`${i}`) })));
    const before = await ws.head('w');
    const error = await rejection(ws.commit('w', [{ op: 'write', path: '/dir/f4', content: text('4') }]));
    expect(error).toMatchObject({ code: 'invalid', limit: 'maxFiles', max: 3, actual: 4 });
    expect(await ws.head('w')).toEqual(before);
  });

  it('refuses a path deeper than maxDepth at once', async () => {
    const nodes = new NodeStore(new MemoryBlobStore());
    const deep = `/${Array.from({ length: 65 }, (_, i) => `d${i}`).join('/')}`;
    const error = await rejection(commitChanges(nodes, await emptySnapshot(nodes), [{ op: 'write', path: deep, content: text('x') }]));
    expect(error).toMatchObject({ limit: 'maxDepth', max: 64, actual: 65 });
  });

  it('refuses a file mode other than regular or executable, and a negative size', async () => {
    const blobs = new MemoryBlobStore();
    const nodes = new NodeStore(blobs);
    const body = await blobs.put(text('x'));
    const empty = await emptySnapshot(nodes);
    await expect(commitChanges(nodes, empty, [{ op: 'writeRef', path: '/x', ref: body.ref, size: 1, mode: 0o6777 }])).rejects.toThrow(/mode 06777: a file is either 0644/);
    await expect(commitChanges(nodes, empty, [{ op: 'writeRef', path: '/x', ref: body.ref, size: -1 }])).rejects.toThrow(/size -1: a size is a non-negative integer/);
  });

  it('a workspace cannot be created over an expansion bomb', async () => {
    const blobs = new MemoryBlobStore();
    const ws = new Workspaces(new MemoryWorkspaceStore(), blobs);
    const error = await rejection(ws.create('w', await expansionBomb(blobs)));
    expect(error).toMatchObject({ code: 'invalid', limit: 'maxFiles' });
    expect(await ws.store.get('w')).toBeUndefined();
  });

  it('a commit over a head written before totals were recorded measures it once and records them', async () => {
    const blobs = new MemoryBlobStore();
    const file = await blobs.put(text('x'));
    const legacyDir = await putNode(blobs, { f: { type: 'file', ref: file.ref, size: 1 } });
    const legacyRoot = await putNode(blobs, { old: { type: 'dir', ref: legacyDir } });
    const nodes = new NodeStore(blobs);
    const next = await commitChanges(nodes, legacyRoot, [{ op: 'write', path: '/new.txt', content: text('yy') }]);
    expect((await nodes.get(next)).entries.old).toEqual({ type: 'dir', ref: legacyDir, totals: { files: 1, dirs: 0, bytes: 1, depth: 1 } });
  });
});

describe('walking a snapshot', () => {
  it('stops with a typed error once a walk of an unmeasured snapshot passes the limits', async () => {
    const blobs = new MemoryBlobStore();
    const bomb = await expansionBomb(blobs);
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const entry of walk(new NodeStore(blobs), bomb, '/', { limits: small({ maxFiles: 1000 }) })) seen.push(entry.path);
      })(),
    );
    expect(error).toMatchObject({ limit: 'maxFiles', max: 1000, actual: 1001 });
    expect(seen.filter((path) => /\/f\d$/.test(path))).toHaveLength(1000);
  });

  it('resumes after any path, so pages of a walk concatenate to the whole walk', async () => {
    const nodes = new NodeStore(new MemoryBlobStore());
    const paths = ['/a.txt', '/a/b/c.txt', '/a/b.txt', '/a/z', '/b/x', '/c', '/a-b/q'];
    const root = await commitChanges(nodes, await emptySnapshot(nodes), paths.map((path) => ({ op: 'write' as const, path, content: text(path) })));
    const all: string[] = [];
    for await (const entry of walk(nodes, root)) all.push(entry.path);
    for (let i = 0; i < all.length; i++) {
      const rest: string[] = [];
      for await (const entry of walk(nodes, root, '/', { after: all[i]! })) rest.push(entry.path);
      expect(rest).toEqual(all.slice(i + 1));
    }
  });
});
