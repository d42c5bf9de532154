import { canonicalJson, refOfBytes } from '@lightspeed/engine';
import { describe, expect, it } from 'vitest';
import { decodeNode, encodeNode, makeNode, TreeNodeError, type TreeNode } from '../src/index.js';

const bytesOf = (text: string) => new TextEncoder().encode(text);
const FILE_REF = refOfBytes(bytesOf('body'));

/** A node as a client could upload it: any JSON, canonical unless the test says otherwise. */
function crafted(entries: Record<string, unknown>): Uint8Array {
  return bytesOf(canonicalJson({ kind: 'lightspeed.vfs.dir', v: 1, entries }));
}

function decodeError(bytes: Uint8Array): TreeNodeError {
  try {
    decodeNode(refOfBytes(bytes), bytes);
  } catch (error) {
    return error as TreeNodeError;
  }
  throw new Error('the node was accepted');
}

describe('decoding a tree node', () => {
  it('accepts what the writers produce: regular and executable files, directories with totals', () => {
    const node: TreeNode = makeNode({
      'a.txt': { type: 'file', ref: FILE_REF, size: 4 },
      'run.sh': { type: 'file', ref: FILE_REF, size: 4, mode: 0o755 },
      'plain.txt': { type: 'file', ref: FILE_REF, size: 4, mode: 0o644 },
      src: { type: 'dir', ref: FILE_REF, totals: { files: 1, dirs: 0, bytes: 4, depth: 1 } },
      old: { type: 'dir', ref: FILE_REF },
    });
    const bytes = encodeNode(node);
    expect(decodeNode(refOfBytes(bytes), bytes)).toEqual(node);
  });

  it.each([
    ['setuid, setgid and world-writable bits (06777)', { f: { type: 'file', ref: FILE_REF, size: 4, mode: 0o6777 } }, /mode 06777; only 0644 \(regular\) and 0755/],
    ['a world-writable mode (0777)', { f: { type: 'file', ref: FILE_REF, size: 4, mode: 0o777 } }, /mode 0777/],
    ['file-type bits in the mode (0100755)', { f: { type: 'file', ref: FILE_REF, size: 4, mode: 0o100755 } }, /mode 0100755/],
    ['a negative mode', { f: { type: 'file', ref: FILE_REF, size: 4, mode: -1 } }, /mode -1/],
    ['a negative size', { f: { type: 'file', ref: FILE_REF, size: -5 } }, /size -5; a size is a non-negative integer/],
    ['a fractional size', { f: { type: 'file', ref: FILE_REF, size: 1.5 } }, /size 1.5/],
    ['a size beyond 2^53', { f: { type: 'file', ref: FILE_REF, size: 2 ** 53 } }, /size 9007199254740992/],
    ['a size given as a string', { f: { type: 'file', ref: FILE_REF, size: '4' } }, /size "4"/],
    ['an empty name', { '': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name ""/],
    ['the name "."', { '.': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name "."/],
    ['the name ".."', { '..': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name ".."/],
    ['a name with a slash', { 'a/b': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name "a\/b"/],
    ['a name with a backslash', { 'a\\b': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name/],
    ['a name with a NUL byte', { 'a\0b': { type: 'file', ref: FILE_REF, size: 4 } }, /invalid entry name/],
    ['an unknown entry type (a symlink)', { l: { type: 'symlink', ref: FILE_REF, target: '/etc/passwd' } }, /type "symlink"; expected "file" or "dir"/],
    ['a malformed ref', { f: { type: 'file', ref: 'sha256:nope', size: 4 } }, /no valid `ref`/],
    ['an unknown field on a file', { f: { type: 'file', ref: FILE_REF, size: 4, uid: 0 } }, /unknown fields "uid"/],
    ['malformed directory totals', { d: { type: 'dir', ref: FILE_REF, totals: { files: -1, dirs: 0, bytes: 0, depth: 0 } } }, /malformed `totals`/],
  ])('refuses %s with a typed invalid error', (_name, entries, message) => {
    const error = decodeError(crafted(entries));
    expect(error).toBeInstanceOf(TreeNodeError);
    expect(error.code).toBe('invalid');
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/rebuild the snapshot/);
  });

  it('refuses duplicate names, which JSON.parse would silently collapse into one', () => {
    const entry = `{"ref":"${FILE_REF}","size":4,"type":"file"}`;
    const error = decodeError(bytesOf(`{"entries":{"a":${entry},"a":${entry}},"kind":"lightspeed.vfs.dir","v":1}`));
    expect(error.message).toMatch(/not the canonical encoding \(duplicate or unsorted names/);
  });

  it('refuses a node that is not in canonical form (so equal trees keep equal refs)', () => {
    const pretty = bytesOf(JSON.stringify({ kind: 'lightspeed.vfs.dir', v: 1, entries: {} }, null, 2));
    expect(decodeError(pretty).message).toMatch(/not the canonical encoding/);
  });

  it('refuses blobs that are not directory nodes at all', () => {
    expect(decodeError(bytesOf('hello')).message).toMatch(/not a VFS directory node/);
    expect(decodeError(bytesOf('[]')).message).toMatch(/not a VFS directory node/);
    expect(decodeError(bytesOf(canonicalJson({ kind: 'lightspeed.vfs.dir', v: 2, entries: {} }))).message).toMatch(/version 2 is not supported/);
    expect(decodeError(new Uint8Array([0xff, 0xfe])).message).toMatch(/not a VFS directory node/);
  });
});
