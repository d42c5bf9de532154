import { describe, expect, it } from 'vitest';
import { refOfText } from '@lightspeed/engine';
import { BlobCorruptError, BlobTooLargeError } from '@lightspeed/ports';
import { MemoryBlobStore, getText, putText } from '../src/index.js';

describe('MemoryBlobStore', () => {
  it('stores content under its SHA-256 ref, idempotently', async () => {
    const store = new MemoryBlobStore();
    const ref = await putText(store, 'hello');
    expect(ref).toBe(refOfText('hello'));
    expect(await putText(store, 'hello')).toBe(ref);
    expect(store.size).toBe(1);
    expect(await getText(store, ref)).toBe('hello');
    expect(await store.has(ref)).toBe(true);
    expect((await store.stat(ref))?.size).toBe(5);
  });
  it('refuses to serve corrupted bytes', async () => {
    const store = new MemoryBlobStore();
    const ref = await putText(store, 'hello');
    store.corruptForTest(ref, new TextEncoder().encode('jello'));
    await expect(store.get(ref)).rejects.toBeInstanceOf(BlobCorruptError);
  });
  it('refuses blobs over the configured maximum', async () => {
    const store = new MemoryBlobStore({ maxBlobBytes: 4 });
    await expect(putText(store, 'hello')).rejects.toBeInstanceOf(BlobTooLargeError);
  });
});
