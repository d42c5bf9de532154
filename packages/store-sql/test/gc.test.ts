import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { refOfBytes, type BlobRef } from '@lightspeed/engine';
import { refsInBlob } from '../src/index.js';
import { BACKENDS, entries, freshUniverse, objectStoreOf, useBackend, useS3 } from './backends.js';

const text = (s: string) => new TextEncoder().encode(s);
const json = (value: unknown) => text(JSON.stringify(value));
const HOUR = 3_600_000;

class ManualClock {
  t = 1_000_000_000;
  now(): number {
    return this.t;
  }
}

describe('the reference rule', () => {
  it('finds sha256 refs anywhere in a JSON blob and none in non-JSON bytes', () => {
    const a = refOfBytes(text('a'));
    const b = refOfBytes(text('b'));
    expect(refsInBlob(json({ entries: [{ ref: a }], note: `see ${b} too`, [a]: 1 })).sort()).toEqual([a, b].sort());
    expect(refsInBlob(text(`plain text mentioning ${a}`))).toEqual([]);
    expect(refsInBlob(new Uint8Array([0xff, 0xfe, 0x7b]))).toEqual([]);
  });
});

describe.each(BACKENDS)('garbage collection on %s', (name) => {
  const clock = new ManualClock();
  const s3 = useS3();
  const backend = useBackend(name, () => ({ objectStore: objectStoreOf(s3()), clock }));

  it('keeps everything reachable from logs, snapshots and workspaces and sweeps old garbage; dry run deletes nothing', async () => {
    const storage = backend.storage();
    const universe = freshUniverse();
    const blobs = storage.blobs(universe);
    const put = async (bytes: Uint8Array) => (await blobs.put(bytes)).ref;
    const big = (seed: string) => text(seed.repeat(20_000)); // > 64 KiB: lives in S3

    const inEvent = await put(text('referenced from event data'));
    const snapshotChild = await put(big('snapshot child '));
    const snapshotState = await put(json({ state: { context: [snapshotChild] } }));
    const fileLeaf = await put(big('file contents '));
    const dirNode = await put(json({ entries: { 'a.txt': { ref: fileLeaf } } }));
    const treeRoot = await put(json({ entries: { src: { ref: dirNode } } }));
    const behindText = await put(text('only mentioned inside a non-JSON blob'));
    const textMention = await put(text(`not json: ${behindText}`));
    const oldGarbage = await put(text('old garbage'));
    const oldBigGarbage = await put(big('old big garbage '));
    const resurrected = await put(text('garbage put again later'));

    const sessions = storage.sessions(universe);
    await sessions.append('s', 0, entries(1, 2, 0, (seq) => (seq === 2 ? { input: { refs: [inEvent] } } : {})));
    await sessions.putSnapshot('s', { seq: 2, stateRef: snapshotState });
    await storage.workspaces(universe).create('ws', treeRoot);

    clock.t += 2 * HOUR;
    await blobs.put(text('garbage put again later'));
    const young = await put(text('young garbage'));

    const dry = await storage.gc({ universe, graceMs: HOUR, dryRun: true });
    const expectedGone = [oldGarbage, oldBigGarbage, behindText, textMention].sort();
    expect(dry.dryRun).toBe(true);
    expect(dry.swept.map((b) => b.ref).sort()).toEqual(expectedGone);
    for (const ref of expectedGone) expect(await blobs.has(ref)).toBe(true);

    const run = await storage.gc({ universe, graceMs: HOUR });
    expect(run.swept.map((b) => b.ref).sort()).toEqual(expectedGone);
    expect(run.sweptBytes).toBe(run.swept.reduce((n, b) => n + b.size, 0));
    for (const ref of expectedGone) expect(await blobs.has(ref)).toBe(false);
    for (const ref of [inEvent, snapshotChild, snapshotState, fileLeaf, dirNode, treeRoot, resurrected, young]) {
      expect(await blobs.get(ref)).toBeDefined();
    }
    // The large garbage object left the bucket too.
    const s = s3();
    const client = new S3Client({ endpoint: s.endpoint, region: s.region, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } });
    const hex = oldBigGarbage.slice('sha256:'.length);
    await expect(client.send(new GetObjectCommand({ Bucket: s.bucket, Key: `test/${universe}/sha256/${hex.slice(0, 2)}/${hex}` }))).rejects.toThrow();
    client.destroy();

    expect((await storage.gc({ universe, graceMs: HOUR })).swept).toEqual([]);
  });

  it('marks per universe: a reference in universe B does not keep universe A\'s copy alive', async () => {
    const storage = backend.storage();
    const [a, b] = [freshUniverse(), freshUniverse()];
    const shared = text(`same bytes in two universes ${a}`);
    const ref = (await storage.blobs(a).put(shared)).ref;
    await storage.blobs(b).put(shared);
    await storage.sessions(b).append('s', 0, entries(1, 1, 0, () => ({ ref })));
    clock.t += 2 * HOUR;
    // Without a universe option the run covers every universe.
    const report = await storage.gc({ graceMs: HOUR, dryRun: true });
    expect(report.swept.filter((blob) => blob.ref === ref)).toEqual([{ universe: a, ref, size: shared.byteLength }]);
    await storage.gc({ universe: a, graceMs: HOUR });
    expect(await storage.blobs(a).has(ref)).toBe(false);
    expect(await storage.blobs(b).get(ref)).toEqual(shared);
  });

  it('never deletes a reachable blob: randomized graphs (inline and S3 blobs) against a reference mark', async () => {
    const storage = backend.storage();
    const node = fc.record({
      json: fc.boolean(),
      children: fc.uniqueArray(fc.nat(40), { maxLength: 4 }),
      dangling: fc.boolean(),
      young: fc.boolean(),
      large: fc.integer({ min: 0, max: 7 }).map((n) => n === 0),
      root: fc.constantFrom('none', 'none', 'none', 'event', 'snapshot', 'workspace'),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(node, { minLength: 1, maxLength: 30 }), async (nodes) => {
        const universe = freshUniverse();
        const blobs = storage.blobs(universe);
        const refs: BlobRef[] = [];
        const edges: number[][] = [];
        const startedAt = clock.t;
        // Children always point at earlier blobs, so the graph is a DAG put bottom-up.
        for (let i = 0; i < nodes.length; i++) {
          const spec = nodes[i]!;
          const children = i === 0 ? [] : spec.children.map((c) => c % i);
          edges.push(spec.json ? children : []);
          const bytes = spec.json
            ? json({ i, universe, children: children.map((c) => refs[c]), ...(spec.dangling ? { lost: refOfBytes(text(`dangling ${i}`)) } : {}), pad: spec.large ? 'x'.repeat(70_000) : '' })
            : text(`leaf ${i} ${universe} ${children.map((c) => refs[c]).join(' ')}${spec.large ? ' '.repeat(70_000) : ''}`);
          clock.t = spec.young ? startedAt + 10 * HOUR : startedAt;
          refs.push((await blobs.put(bytes)).ref);
        }
        clock.t = startedAt + 10 * HOUR + 1;
        const sessions = storage.sessions(universe);
        const rootIndexes = nodes.flatMap((spec, i) => (spec.root === 'none' ? [] : [i]));
        const eventRoots = rootIndexes.filter((i) => nodes[i]!.root === 'event');
        await sessions.append('s', 0, entries(1, 1, 0, () => ({ refs: eventRoots.map((i) => ({ ref: refs[i] })) })));
        for (const i of rootIndexes.filter((i) => nodes[i]!.root === 'snapshot')) await sessions.append(`snap-${i}`, 0, entries(1, 1)).then(() => sessions.putSnapshot(`snap-${i}`, { seq: 1, stateRef: refs[i]! }));
        for (const i of rootIndexes.filter((i) => nodes[i]!.root === 'workspace')) await storage.workspaces(universe).create(`ws-${i}`, refs[i]!);

        // Reference mark over the index graph.
        const reachable = new Set<number>();
        const stack = [...rootIndexes];
        while (stack.length > 0) {
          const i = stack.pop()!;
          if (reachable.has(i)) continue;
          reachable.add(i);
          stack.push(...edges[i]!);
        }
        const expected = new Set(refs.filter((ref, i) => !reachable.has(i) && !nodes[i]!.young && !refs.slice(0, i).includes(ref)));

        const dry = await storage.gc({ universe, graceMs: 5 * HOUR, dryRun: true });
        const report = await storage.gc({ universe, graceMs: 5 * HOUR });
        expect(new Set(dry.swept.map((b) => b.ref))).toEqual(expected);
        expect(new Set(report.swept.map((b) => b.ref))).toEqual(expected);
        for (const i of reachable) expect(await blobs.get(refs[i]!)).toBeDefined();
        for (const ref of expected) expect(await blobs.has(ref)).toBe(false);
      }),
      { numRuns: 25 },
    );
  }, 90_000);
});
