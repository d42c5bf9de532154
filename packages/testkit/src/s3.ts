import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { freePort } from './free-port.js';

export interface S3Server {
  /** `http://127.0.0.1:<port>`; use path-style addressing (`forcePathStyle: true`). */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  bucket: string;
  stop(): Promise<void>;
}

export interface StartS3Options {
  bucket?: string;
}

/**
 * Starts a real S3-compatible HTTP server (s3rver) on a free loopback port, storing objects in a
 * fresh temp dir. s3rver's documented credentials are `S3RVER`/`S3RVER`.
 */
export async function startS3(options: StartS3Options = {}): Promise<S3Server> {
  const bucket = options.bucket ?? 'lightspeed-test';
  const directory = await mkdtemp(join(tmpdir(), 'lightspeed-s3-'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const server = new S3rver({
      address: '127.0.0.1',
      port,
      silent: true,
      directory,
      vhostBuckets: false,
      configureBuckets: [{ name: bucket }],
    });
    try {
      await server.run();
    } catch (error) {
      lastError = error;
      continue; // another process took the port between freePort() and bind: pick another
    }
    let stopped = false;
    return {
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      bucket,
      async stop() {
        if (stopped) return;
        stopped = true;
        await server.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  }
  await rm(directory, { recursive: true, force: true });
  throw new Error(`startS3: could not start s3rver on a free port: ${String(lastError)}`);
}
