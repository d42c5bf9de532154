import { describe, expect, it } from 'vitest';
import { canonicalJson, digestOf, isBlobRef, preview, refOfText } from '../src/index.js';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: undefined, x: 2 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[1,{"x":2,"z":1}]},"b":1}');
  });
  it('gives equal digests for deeply equal values regardless of key order', () => {
    expect(digestOf({ a: 1, b: [1, 2] })).toBe(digestOf({ b: [1, 2], a: 1 }));
    expect(digestOf({ a: 1 })).not.toBe(digestOf({ a: 2 }));
  });
  it('refuses non-finite numbers', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
  });
});

describe('blob refs', () => {
  it('hashes text to the known SHA-256 of the empty string and of "abc"', () => {
    expect(refOfText('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(refOfText('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(isBlobRef(refOfText('x'))).toBe(true);
    expect(isBlobRef('sha256:XYZ')).toBe(false);
  });
  it('bounds previews to 200 characters', () => {
    expect(preview('a'.repeat(500))).toHaveLength(200);
    expect(preview('short')).toBe('short');
  });
});

describe('canonical JSON over random values', () => {
  it('round-trips and does not depend on key order', async () => {
    const fc = (await import('fast-check')).default;
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(value, (_key, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v)));
        expect(canonicalJson(shuffled)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });
});
