/**
 * VFS benchmark: import a generated 10,000-file tree into a MemoryBlobStore, then commit single-file
 * edits to a workspace over that tree. Prints `vfs: snapshot_10k_files_ms=… edit_in_10k_tree_ms=…`
 * as its last line. The headline figures use a MemoryBlobStore, so they measure the tree code
 * (reading, hashing, node encoding, directory walk), not a disk or database; an import into the
 * durable FsBlobStore is printed above them for reference when VFS_BENCH_FS=1.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FsBlobStore, MemoryBlobStore } from '@lightspeed/cas';
import { importDirectory, MemoryWorkspaceStore, Workspaces } from '@lightspeed/vfs';

const FILES = 10_000;
const EDITS = 200;

async function generateTree(root: string): Promise<string[]> {
  // 10 top-level packages × 10 folders × 100 files: a realistic fan-out, depth 3.
  const paths: string[] = [];
  for (let p = 0; p < 10; p++) {
    for (let d = 0; d < 10; d++) {
      const dir = join(root, `pkg${p}`, `dir${d}`);
      await mkdir(dir, { recursive: true });
      const writes: Promise<void>[] = [];
      for (let f = 0; f < FILES / 100; f++) {
        const rel = `pkg${p}/dir${d}/file${f}.ts`;
        paths.push(rel);
        writes.push(writeFile(join(root, rel), `// ${rel}\nexport const value${f} = ${p * 1000 + d * 100 + f};\n`.repeat(4)));
      }
      await Promise.all(writes);
    }
  }
  return paths;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vfs-bench-'));
  try {
    const paths = await generateTree(dir);
    const blobs = new MemoryBlobStore();
    const started = performance.now();
    const imported = await importDirectory(blobs, dir);
    const snapshotMs = performance.now() - started;
    console.log(`imported ${imported.files} files (${imported.bytes} bytes, ${imported.uploaded} uploaded) in ${snapshotMs.toFixed(1)} ms`);

    const workspaces = new Workspaces(new MemoryWorkspaceStore(), blobs);
    await workspaces.create('bench', imported.rootRef);
    const encoder = new TextEncoder();
    const timings: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const path = `/${paths[(i * 7919) % paths.length]!}`;
      const t0 = performance.now();
      await workspaces.commit('bench', [{ op: 'write', path, content: encoder.encode(`// edit ${i}\n`) }]);
      timings.push(performance.now() - t0);
    }
    console.log(`${EDITS} single-file edits (warm node cache, as in a long-lived runtime): median ${median(timings).toFixed(3)} ms, max ${Math.max(...timings).toFixed(3)} ms`);
    const cold: number[] = [];
    for (let i = 0; i < 20; i++) {
      const fresh = new Workspaces(workspaces.store, blobs);
      const t0 = performance.now();
      await fresh.commit('bench', [{ op: 'write', path: `/${paths[(i * 104729) % paths.length]!}`, content: encoder.encode(`// cold ${i}\n`) }]);
      cold.push(performance.now() - t0);
    }
    console.log(`20 single-file edits with a cold node cache: median ${median(cold).toFixed(3)} ms`);

    // For reference only (VFS_BENCH_FS=1): the same import into the durable FsBlobStore (fsync per blob).
    if (process.env.VFS_BENCH_FS === '1') {
      const casDir = `${dir}-cas`;
      const fsStarted = performance.now();
      const fsImported = await importDirectory(new FsBlobStore({ root: casDir }), dir);
      console.log(`reference: import into FsBlobStore (durable) took ${(performance.now() - fsStarted).toFixed(0)} ms for ${fsImported.files} files`);
      await rm(casDir, { recursive: true, force: true });
    }

    console.log(`vfs: snapshot_10k_files_ms=${Math.round(snapshotMs)} edit_in_10k_tree_ms=${median(timings).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
