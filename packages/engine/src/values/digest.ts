import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json.js';

/** A content address: `sha256:` followed by 64 lowercase hex digits. */
export type BlobRef = `sha256:${string}`;

const REF_PATTERN = /^sha256:[0-9a-f]{64}$/;

export function isBlobRef(value: unknown): value is BlobRef {
  return typeof value === 'string' && REF_PATTERN.test(value);
}

/** SHA-256 of raw bytes as a blob ref. Pure JS (no node:crypto) so it runs in workflow sandboxes. */
export function refOfBytes(bytes: Uint8Array): BlobRef {
  return `sha256:${bytesToHex(sha256(bytes))}`;
}

export function refOfText(text: string): BlobRef {
  return refOfBytes(utf8ToBytes(text));
}

/** SHA-256 hex digest of a value's canonical JSON. */
export function digestOf(value: unknown): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson(value))));
}

/** SHA-256 hex digest of a UTF-8 string. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}
