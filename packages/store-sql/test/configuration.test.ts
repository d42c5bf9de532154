import { describe, expect, it } from 'vitest';
import { isLightspeedError } from '@lightspeed/ports';
import { checkUniverse, objectStoreConfigFromEnv, storageOptionsFromEnv } from '../src/index.js';

describe('configuration from the environment', () => {
  it('reads the object store settings, and none without a bucket', () => {
    expect(objectStoreConfigFromEnv({})).toBeUndefined();
    expect(
      objectStoreConfigFromEnv({
        LIGHTSPEED_OBJECT_STORE_BUCKET: 'blobs',
        LIGHTSPEED_OBJECT_STORE_ENDPOINT: 'http://127.0.0.1:9000',
        LIGHTSPEED_OBJECT_STORE_REGION: 'eu-west-1',
        LIGHTSPEED_OBJECT_STORE_ACCESS_KEY_ID: 'id',
        LIGHTSPEED_OBJECT_STORE_SECRET_ACCESS_KEY: 'secret',
        LIGHTSPEED_OBJECT_STORE_PREFIX: 'prod/',
      }),
    ).toEqual({ bucket: 'blobs', endpoint: 'http://127.0.0.1:9000', region: 'eu-west-1', accessKeyId: 'id', secretAccessKey: 'secret', keyPrefix: 'prod/' });
    expect(storageOptionsFromEnv({})).toEqual({});
  });

  it('accepts only path-safe universe ids, since they become object-key segments', () => {
    expect(checkUniverse('tenant-1.prod_a')).toBe('tenant-1.prod_a');
    for (const bad of ['', '../x', 'a/b', 'a..b', '.hidden', 'x'.repeat(129), 'ü']) {
      expect(() => checkUniverse(bad)).toThrow(expect.objectContaining({ code: 'invalid' }));
    }
    expect(() => checkUniverse('a/b')).toThrow(expect.toSatisfy((e: unknown) => isLightspeedError(e, 'invalid')));
  });
});
