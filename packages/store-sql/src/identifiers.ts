import { isBlobRef, type BlobRef } from '@lightspeed/engine';
import { LightspeedError } from '@lightspeed/ports';

// Universes end up in object-store keys, so they are restricted to a path-safe alphabet.
const UNIVERSE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// Session and workspace ids are caller-chosen; forbid control characters and absurd lengths.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
const MAX_ID_LENGTH = 256;

export function checkUniverse(universe: string): string {
  if (typeof universe !== 'string' || !UNIVERSE.test(universe) || universe.includes('..')) {
    throw new LightspeedError('invalid', 'universe id must be 1-128 characters of [A-Za-z0-9._-], starting with a letter or digit');
  }
  return universe;
}

export function checkId(kind: 'session' | 'workspace' | 'profile' | 'task' | 'schedule' | 'trigger' | 'event' | 'memory source' | 'memory event' | 'workflow', id: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_LENGTH || CONTROL.test(id)) {
    throw new LightspeedError('invalid', `${kind} id must be 1-${MAX_ID_LENGTH} characters without control characters`);
  }
  return id;
}

export function checkRef(ref: string): BlobRef {
  if (!isBlobRef(ref)) throw new LightspeedError('invalid', 'not a blob ref: expected sha256:<64 lowercase hex digits>');
  return ref;
}

/** Opaque keyset cursors: base64url JSON, validated on the way back in. */
export function encodeCursor(parts: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor<T extends readonly ('string' | 'number')[]>(cursor: string, shape: T, what: string): unknown[] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === shape.length && value.every((part, i) => typeof part === shape[i])) return value;
  } catch {
    // fall through to the typed error
  }
  throw new LightspeedError('invalid', `invalid ${what} cursor; pass back the nextCursor of a previous page`);
}
