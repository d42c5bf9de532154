import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refOfBytes, refOfText } from '@lightspeed/engine';
import { BlobCorruptError, BlobTooLargeError, isLightspeedError } from '@lightspeed/ports';
import { FsBlobStore, getText, putText } from '../src/index.js';

describe('FsBlobStore', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'fs-blob-store-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('stores content under its SHA-256 ref, sharded by hash prefix, idempotently', async () => {
    const store = new FsBlobStore({ root });
    const ref = await putText(store, 'hello');
    expect(ref).toBe(refOfText('hello'));
    expect(await putText(store, 'hello')).toBe(ref);
    const hex = ref.slice('sha256:'.length);
    expect(await readdir(join(root, 'sha256', hex.slice(0, 2)))).toEqual(expect.arrayContaining([hex]));
    expect(await getText(store, ref)).toBe('hello');
    expect(await store.has(ref)).toBe(true);
    expect(await store.stat(ref)).toEqual({ ref, size: 5, mediaType: 'text/plain; charset=utf-8' });
  });

  it('survives reopening: a new instance on the same root reads what the old one wrote', async () => {
    const ref = (await new FsBlobStore({ root }).put(new Uint8Array([1, 2, 3]))).ref;
    const reopened = new FsBlobStore({ root });
    expect(await reopened.get(ref)).toEqual(new Uint8Array([1, 2, 3]));
    expect(await reopened.stat(ref)).toEqual({ ref, size: 3 });
  });

  it('answers undefined / false for a ref it does not hold', async () => {
    const store = new FsBlobStore({ root });
    const missing = refOfText('never stored');
    expect(await store.get(missing)).toBeUndefined();
    expect(await store.has(missing)).toBe(false);
    expect(await store.stat(missing)).toBeUndefined();
  });

  it('refuses to serve bytes that no longer hash to their ref', async () => {
    const store = new FsBlobStore({ root });
    const ref = await putText(store, 'hello');
    const hex = ref.slice('sha256:'.length);
    await writeFile(join(root, 'sha256', hex.slice(0, 2), hex), 'jello');
    await expect(store.get(ref)).rejects.toBeInstanceOf(BlobCorruptError);
  });

  it('repairs a damaged copy when the same content is put again', async () => {
    const store = new FsBlobStore({ root });
    const ref = await putText(store, 'hello');
    const hex = ref.slice('sha256:'.length);
    await writeFile(join(root, 'sha256', hex.slice(0, 2), hex), 'truncated!');
    await putText(store, 'hello');
    expect(await getText(store, ref)).toBe('hello');
  });

  it('refuses blobs over the configured maximum and writes nothing', async () => {
    const store = new FsBlobStore({ root, maxBlobBytes: 4 });
    await expect(putText(store, 'hello')).rejects.toBeInstanceOf(BlobTooLargeError);
    expect(await store.has(refOfText('hello'))).toBe(false);
  });

  it('rejects refs that are not sha256 hex, so no path can escape the root', async () => {
    const store = new FsBlobStore({ root });
    for (const bad of ['sha256:../../etc/passwd', 'sha256:ABC', `sha256:${'0'.repeat(63)}/`, 'md5:00']) {
      await expect(store.get(bad as never)).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
    }
  });

  it('leaves no temp files behind and stores many blobs concurrently', async () => {
    const store = new FsBlobStore({ root, durable: false });
    const payloads = Array.from({ length: 50 }, (_, i) => new TextEncoder().encode(`blob ${i % 25}`));
    const stats = await Promise.all(payloads.map((bytes) => store.put(bytes)));
    expect(stats.map((s) => s.ref)).toEqual(payloads.map((bytes) => refOfBytes(bytes)));
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
    const many = await store.putMany([{ bytes: new Uint8Array([9]), mediaType: 'application/octet-stream' }]);
    expect(many[0]!.mediaType).toBe('application/octet-stream');
  });
});
