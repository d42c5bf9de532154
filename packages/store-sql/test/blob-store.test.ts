import { GetObjectCommand, PutObjectCommand, DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { refOfBytes, refOfText } from '@lightspeed/engine';
import { BlobCorruptError, BlobTooLargeError, isLightspeedError } from '@lightspeed/ports';
import { INLINE_MAX_BYTES } from '../src/index.js';
import { BACKENDS, freshUniverse, objectStoreOf, useBackend, useS3 } from './backends.js';

const text = (s: string) => new TextEncoder().encode(s);

function randomBytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe.each(BACKENDS)('SqlBlobStore on %s', (name) => {
  const s3 = useS3();
  const backend = useBackend(name, () => ({ objectStore: objectStoreOf(s3()), maxBlobBytes: 1024 * 1024, cacheBytes: 4 * 1024 * 1024 }));
  const blobs = (universe = freshUniverse()) => backend.storage().blobs(universe);
  const s3Client = () => {
    const server = s3();
    return new S3Client({ endpoint: server.endpoint, region: server.region, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey } });
  };
  const corruptInline = async (universe: string, ref: string, bytes: Uint8Array) => {
    await backend.storage().driver.query('UPDATE ls_blobs SET inline_bytes = $3 WHERE universe = $1 AND ref = $2', [universe, ref, bytes]);
  };

  it('stores content under its SHA-256 ref, idempotently, with its media type', async () => {
    const store = blobs();
    const stat = await store.put(text('hello'), { mediaType: 'text/plain' });
    expect(stat).toEqual({ ref: refOfText('hello'), size: 5, mediaType: 'text/plain' });
    expect((await store.put(text('hello'))).ref).toBe(stat.ref);
    expect(await store.get(stat.ref)).toEqual(text('hello'));
    expect(await store.has(stat.ref)).toBe(true);
    expect(await store.stat(stat.ref)).toEqual(stat);
    const empty = await store.put(new Uint8Array(0));
    expect(await store.get(empty.ref)).toEqual(new Uint8Array(0));
  });

  it('answers undefined / false for refs it does not hold and rejects malformed refs', async () => {
    const store = blobs();
    expect(await store.get(refOfText('nothing'))).toBeUndefined();
    expect(await store.has(refOfText('nothing'))).toBe(false);
    expect(await store.stat(refOfText('nothing'))).toBeUndefined();
    await expect(store.get('sha256:../../x' as never)).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('putMany stores a batch (duplicates included) and returns stats in input order', async () => {
    const store = blobs();
    const big = randomBytes(INLINE_MAX_BYTES + 10, 1);
    const stats = await store.putMany([{ bytes: text('a') }, { bytes: text('b'), mediaType: 'text/x-b' }, { bytes: text('a') }, { bytes: big }]);
    expect(stats.map((s) => s.ref)).toEqual([refOfText('a'), refOfText('b'), refOfText('a'), refOfBytes(big)]);
    expect(await store.get(refOfText('b'))).toEqual(text('b'));
    expect(await store.get(refOfBytes(big))).toEqual(big);
  });

  it('refuses a corrupted row with BlobCorruptError instead of returning it as data', async () => {
    const universe = freshUniverse();
    const store = blobs(universe);
    const { ref } = await store.put(text('precious'));
    await corruptInline(universe, ref, text('precioua'));
    await expect(store.get(ref)).rejects.toBeInstanceOf(BlobCorruptError);
    // Putting the same content again repairs the row.
    await store.put(text('precious'));
    expect(await store.get(ref)).toEqual(text('precious'));
  });

  it('refuses blobs over the configured maximum and stores nothing', async () => {
    const store = blobs();
    const tooBig = new Uint8Array(1024 * 1024 + 1);
    await expect(store.put(tooBig)).rejects.toBeInstanceOf(BlobTooLargeError);
    await expect(store.putMany([{ bytes: text('fine') }, { bytes: tooBig }])).rejects.toMatchObject({ code: 'too_large', size: 1024 * 1024 + 1, max: 1024 * 1024 });
    expect(await store.has(refOfText('fine'))).toBe(false);
    expect(await store.has(refOfBytes(tooBig))).toBe(false);
  });

  it('serves repeated reads from the verified LRU cache and hands out private copies', async () => {
    const universe = freshUniverse();
    const store = blobs(universe);
    const { ref } = await store.put(text('cached'));
    const first = (await store.get(ref))!;
    first[0] = 0; // mutating a returned copy must not reach the cache
    await corruptInline(universe, ref, text('CACHED'));
    expect(await store.get(ref)).toEqual(text('cached'));
  });

  it('hasMany answers a batch in order in one statement, duplicates and other universes included', async () => {
    const universe = freshUniverse();
    const store = blobs(universe);
    const small = await store.put(text('present'));
    const large = await store.put(randomBytes(INLINE_MAX_BYTES * 2, 11));
    const elsewhere = await blobs().put(text('another universe'));
    const absent = refOfText('absent');
    const statements: string[] = [];
    // Every store of a Storage shares its driver: count the statements it runs.
    const driver = backend.storage().driver;
    const query = driver.query;
    driver.query = ((...args: Parameters<typeof query>) => (statements.push(args[0]), query.apply(driver, args))) as typeof query;
    try {
      expect(await store.hasMany!([small.ref, absent, large.ref, elsewhere.ref, small.ref])).toEqual([true, false, true, false, true]);
    } finally {
      driver.query = query;
    }
    expect(statements).toHaveLength(1);
    expect(await store.hasMany!([])).toEqual([]);
    await expect(store.hasMany!(['sha256:../../x' as never])).rejects.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid'));
  });

  it('a blob of universe A is invisible to universe B', async () => {
    const a = blobs();
    const b = blobs();
    const small = await a.put(text('tenant secret'));
    const large = await a.put(randomBytes(INLINE_MAX_BYTES * 2, 7));
    for (const ref of [small.ref, large.ref]) {
      expect(await b.get(ref)).toBeUndefined();
      expect(await b.has(ref)).toBe(false);
      expect(await b.stat(ref)).toBeUndefined();
    }
  });

  it('keeps blobs over 64 KiB in the S3-compatible store under a universe-scoped key', async () => {
    const universe = freshUniverse();
    const store = blobs(universe);
    const bytes = randomBytes(300 * 1024, 3);
    const stat = await store.put(bytes, { mediaType: 'application/octet-stream' });
    expect(stat).toEqual({ ref: refOfBytes(bytes), size: bytes.byteLength, mediaType: 'application/octet-stream' });
    const { rows } = await backend.storage().driver.query<{ object_key: string; inline_bytes: unknown }>('SELECT object_key, inline_bytes FROM ls_blobs WHERE universe = $1 AND ref = $2', [universe, stat.ref]);
    const hex = stat.ref.slice('sha256:'.length);
    expect(rows[0]).toEqual({ object_key: `test/${universe}/sha256/${hex.slice(0, 2)}/${hex}`, inline_bytes: null });
    const client = s3Client();
    const object = await client.send(new GetObjectCommand({ Bucket: s3().bucket, Key: rows[0]!.object_key }));
    expect(await object.Body!.transformToByteArray()).toEqual(bytes);
    expect(await store.get(stat.ref)).toEqual(bytes);
    expect(await store.stat(stat.ref)).toEqual(stat);
    // Re-putting does not upload again or change the row.
    expect(await store.put(bytes)).toMatchObject({ ref: stat.ref });
    client.destroy();
  });

  it('reports a tampered or missing large object as corrupt', async () => {
    const universe = freshUniverse();
    const store = backend.storage().blobs(universe);
    const client = s3Client();
    const tampered = randomBytes(100 * 1024, 4);
    const missing = randomBytes(100 * 1024, 5);
    const t = await store.put(tampered);
    const m = await store.put(missing);
    const keyOf = async (ref: string) =>
      (await backend.storage().driver.query<{ object_key: string }>('SELECT object_key FROM ls_blobs WHERE universe = $1 AND ref = $2', [universe, ref])).rows[0]!.object_key;
    await client.send(new PutObjectCommand({ Bucket: s3().bucket, Key: await keyOf(t.ref), Body: randomBytes(100 * 1024, 40) }));
    await client.send(new DeleteObjectCommand({ Bucket: s3().bucket, Key: await keyOf(m.ref) }));
    await expect(store.get(t.ref)).rejects.toBeInstanceOf(BlobCorruptError);
    await expect(store.get(m.ref)).rejects.toBeInstanceOf(BlobCorruptError);
    client.destroy();
  });
});

describe('SqlBlobStore without an object store', () => {
  const backend = useBackend('pglite', { cacheBytes: 0 });
  it('keeps large blobs inline in the database', async () => {
    const store = backend.storage().blobs(freshUniverse());
    const bytes = randomBytes(200 * 1024, 9);
    const { ref } = await store.put(bytes);
    expect(await store.get(ref)).toEqual(bytes);
  });
});
