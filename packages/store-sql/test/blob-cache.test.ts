import { describe, expect, it } from 'vitest';
import { BlobCache } from '../src/index.js';

const bytes = (n: number) => new Uint8Array(n);

describe('BlobCache', () => {
  it('stays within its byte bound by evicting the least recently used blobs', () => {
    const cache = new BlobCache(100);
    cache.set('a', bytes(20));
    cache.set('b', bytes(20));
    cache.set('c', bytes(20));
    cache.get('a'); // a is now the most recently used
    cache.set('d', bytes(20));
    cache.set('e', bytes(25));
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('e')).toBeDefined();
  });

  it('does not let one blob over a quarter of the bound flush everything else', () => {
    const cache = new BlobCache(100);
    cache.set('small', bytes(10));
    cache.set('huge', bytes(26));
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
  });

  it('accounts for replaced and deleted entries', () => {
    const cache = new BlobCache(100);
    cache.set('a', bytes(20));
    cache.set('a', bytes(10));
    expect(cache.size).toBe(10);
    cache.delete('a');
    expect(cache.size).toBe(0);
    expect(cache.count).toBe(0);
  });
});
