import { z } from 'zod';

const PAD = 0x3d; // '='

/** 1 for every character of the standard base64 alphabet (RFC 4648 §4), by char code. */
const ALPHABET = (() => {
  const table = new Uint8Array(128);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/') table[c.charCodeAt(0)] = 1;
  return table;
})();

/**
 * True when `text` is padded standard base64: a multiple of 4 characters from the alphabet, with at
 * most two `=` at the very end. One pass with no regex: the grouped pattern this replaces
 * backtracked once per 4-character group and overflowed the stack on payloads above ~3 MiB.
 */
export function isPaddedBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  let end = text.length;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end--;
  if (end > 0 && text.charCodeAt(end - 1) === PAD) end--;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 128 || ALPHABET[code] !== 1) return false;
  }
  return true;
}

/** A string field holding padded standard base64; whitespace is not accepted. */
export const paddedBase64 = () =>
  z.string().refine(isPaddedBase64, 'must be padded standard base64 (RFC 4648 §4, no whitespace)').describe('Padded standard base64 (RFC 4648 §4), no whitespace.');
