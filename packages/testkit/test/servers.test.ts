import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { findPostgresBinaries, freePort, startPostgres, startS3 } from '../src/index.js';

describe('freePort', () => {
  it('returns a loopback port that can be bound right away', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});

describe('startPostgres', () => {
  it('runs a real PostgreSQL server on a free port and removes it on stop', async () => {
    const server = await startPostgres();
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ version: string }>('SELECT version() AS version');
      expect(rows[0]!.version).toMatch(/^PostgreSQL \d+/);
      await client.end();
      expect(existsSync(server.dataDir)).toBe(true);
    } finally {
      await server.stop();
    }
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it('fails loudly, naming the fix, when the server binaries are missing', () => {
    expect(() => findPostgresBinaries({ LIGHTSPEED_PG_BIN: '/nonexistent', PATH: '' })).toThrow(/LIGHTSPEED_PG_BIN=\/nonexistent.*apt-get install postgresql/);
  });
});

describe('startS3', () => {
  it('serves the S3 API to the official SDK (path-style, SigV4-signed)', async () => {
    const s3 = await startS3({ bucket: 'probe' });
    try {
      const client = new S3Client({
        endpoint: s3.endpoint,
        region: s3.region,
        forcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      });
      await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'a/b', Body: new Uint8Array([1, 2, 3]) }));
      const got = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'a/b' }));
      expect([...(await got.Body!.transformToByteArray())]).toEqual([1, 2, 3]);
      client.destroy();
    } finally {
      await s3.stop();
    }
  });
});
