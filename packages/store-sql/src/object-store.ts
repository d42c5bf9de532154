import { DeleteObjectsCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LightspeedError } from '@lightspeed/ports';

export interface ObjectStoreConfig {
  endpoint?: string;
  bucket: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** Prepended to every key (e.g. `lightspeed/`), before the universe. */
  keyPrefix?: string;
}

/** Reads `LIGHTSPEED_OBJECT_STORE_{ENDPOINT,BUCKET,REGION,ACCESS_KEY_ID,SECRET_ACCESS_KEY,PREFIX}`; undefined without a bucket. */
export function objectStoreConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ObjectStoreConfig | undefined {
  const bucket = env.LIGHTSPEED_OBJECT_STORE_BUCKET;
  if (!bucket) return undefined;
  const config: ObjectStoreConfig = { bucket };
  if (env.LIGHTSPEED_OBJECT_STORE_ENDPOINT) config.endpoint = env.LIGHTSPEED_OBJECT_STORE_ENDPOINT;
  if (env.LIGHTSPEED_OBJECT_STORE_REGION) config.region = env.LIGHTSPEED_OBJECT_STORE_REGION;
  if (env.LIGHTSPEED_OBJECT_STORE_ACCESS_KEY_ID) config.accessKeyId = env.LIGHTSPEED_OBJECT_STORE_ACCESS_KEY_ID;
  if (env.LIGHTSPEED_OBJECT_STORE_SECRET_ACCESS_KEY) config.secretAccessKey = env.LIGHTSPEED_OBJECT_STORE_SECRET_ACCESS_KEY;
  if (env.LIGHTSPEED_OBJECT_STORE_PREFIX) config.keyPrefix = env.LIGHTSPEED_OBJECT_STORE_PREFIX;
  return config;
}

/**
 * Large blobs in an S3-compatible bucket (path-style addressing, so MinIO, s3rver, R2 and AWS all
 * work). Errors are rethrown as `unavailable` without the SDK's request details, which can carry
 * signed URLs.
 */
export class S3ObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;
  readonly keyPrefix: string;

  constructor(config: ObjectStoreConfig) {
    this.bucket = config.bucket;
    this.keyPrefix = config.keyPrefix ?? '';
    this.client = new S3Client({
      region: config.region ?? 'us-east-1',
      forcePathStyle: true,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      ...(config.accessKeyId && config.secretAccessKey ? { credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey } } : {}),
    });
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength }));
    } catch (error) {
      throw this.unavailable('write', key, error);
    }
  }

  /** The object's bytes, or undefined when it does not exist. */
  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return await response.Body!.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw this.unavailable('read', key, error);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      try {
        await this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true } }));
      } catch (error) {
        throw this.unavailable('delete', chunk[0]!, error);
      }
    }
  }

  close(): void {
    this.client.destroy();
  }

  private unavailable(action: string, key: string, error: unknown): LightspeedError {
    const name = (error as { name?: string }).name ?? 'Error';
    return new LightspeedError('unavailable', `object store ${action} of ${key} failed (${name}); check the LIGHTSPEED_OBJECT_STORE_* settings and that the bucket is reachable`, { key, cause: name });
  }
}
